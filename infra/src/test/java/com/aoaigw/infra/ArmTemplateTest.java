package com.aoaigw.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code infra/azuredeploy.json}, its parameter files, the UI definition and the managed-application package. */
@Timeout(30)
class ArmTemplateTest {
    static final String STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    static final String COGNITIVE_SERVICES_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd";
    static final String ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d";
    private static final Pattern PARAMETER = Pattern.compile("parameters\\('([^']+)'\\)");
    private static final Pattern VARIABLE = Pattern.compile("variables\\('([^']+)'\\)");
    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    /** Parameters that name real things (accounts, images, registries, DNS): placeholders only in committed files. */
    private static final Set<String> IDENTIFYING = Set.of("proxyImage", "caddyManagerImage", "dnsNameLabel", "storageAccountName",
            "cognitiveServicesAccountName", "cognitiveServicesAccountResourceGroup", "registryLoginServer");

    static JsonNode template() {
        return Repo.json("infra/azuredeploy.json");
    }

    /** The nested deployment that assigns the OpenAI role in the account's resource group. */
    static JsonNode nestedDeployment() {
        return deployment("-openai-user-role");
    }

    /** The nested deployment that grants AcrPull in the registry's resource group. */
    static JsonNode acrDeployment() {
        return deployment("-acr-pull");
    }

    private static JsonNode deployment(String suffix) {
        List<JsonNode> deployments = resources(template(), "Microsoft.Resources/deployments");
        assertEquals(2, deployments.size(), "two nested deployments (OpenAI role, AcrPull)");
        List<JsonNode> named = deployments.stream().filter(d -> d.path("name").asText().contains(suffix)).toList();
        assertEquals(1, named.size(), suffix);
        return named.getFirst();
    }

    static List<JsonNode> resources(JsonNode template, String type) {
        List<JsonNode> out = new ArrayList<>();
        template.get("resources").forEach(r -> {
            if (r.path("type").asText().equals(type)) {
                out.add(r);
            }
        });
        return out;
    }

    /** Every string in {@code node}, skipping nested templates evaluated in their own (inner) scope. */
    private static void strings(JsonNode node, List<String> out) {
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isObject()) {
            boolean inner = node.at("/expressionEvaluationOptions/scope").asText().equals("inner");
            node.fields().forEachRemaining(e -> {
                if (!(inner && e.getKey().equals("template"))) {
                    strings(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> strings(n, out));
        }
    }

    private static Set<String> used(JsonNode template, Pattern pattern) {
        List<String> all = new ArrayList<>();
        for (String section : List.of("parameters", "variables", "resources", "outputs")) {
            strings(template.path(section), all);
        }
        Set<String> names = new TreeSet<>();
        for (String s : all) {
            if (s.startsWith("[")) {
                Matcher m = pattern.matcher(s);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void everyParameterAndVariableIsDeclaredAndUsed() {
        for (JsonNode t : List.of(template(), nestedDeployment().at("/properties/template"),
                acrDeployment().at("/properties/template"))) {
            assertEquals(names(t.get("parameters")), used(t, PARAMETER), "parameters declared vs used");
            assertEquals(names(t.path("variables")), used(t, VARIABLE), "variables declared vs used");
        }
        // The nested deployment passes exactly the parameters its template declares.
        for (JsonNode d : List.of(nestedDeployment(), acrDeployment())) {
            JsonNode nested = d.get("properties");
            assertEquals(names(nested.at("/template/parameters")), names(nested.get("parameters")));
        }
    }

    @Test
    void secretsAreSecureParametersAndNeverLeak() {
        JsonNode params = template().get("parameters");
        for (String secret : List.of("registryUsername", "registryPassword", "caddyManagerToken", "clientKey", "redisUrl",
                "applicationInsightsConnectionString")) {
            assertEquals("securestring", params.at("/" + secret + "/type").asText(), secret);
        }
        assertEquals("[newGuid()]", params.at("/caddyManagerToken/defaultValue").asText());
        List<String> outputs = new ArrayList<>();
        strings(template().get("outputs"), outputs);
        outputs.forEach(o -> assertFalse(o.contains("registryPassword") || o.contains("caddyManagerToken")
                || o.contains("clientKey") || o.contains("redisUrl") || o.contains("applicationInsights")
                || o.contains("listKeys"), "output leaks a secret: " + o));
        // No Redis (nor any other data service) is created: redisUrl only points at one the operator runs.
        template().get("resources").forEach(r -> assertFalse(r.path("type").asText().toLowerCase().contains("redis"),
                r.path("type").asText()));
    }

    @Test
    void onlyCaddysPortsArePublicAndTheProxyStaysPrivate() {
        JsonNode group = resources(template(), "Microsoft.ContainerInstance/containerGroups").getFirst();
        JsonNode props = group.get("properties");
        assertEquals("[if(variables('useAcr'), createObject('type', 'SystemAssigned, UserAssigned', 'userAssignedIdentities', "
                + "createObject(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', variables('pullIdentityName')), "
                + "createObject())), createObject('type', 'SystemAssigned'))]", group.path("identity").asText(),
                "system-assigned always (data-plane roles); the user-assigned pull identity only with acrName");
        assertEquals("Always", props.path("restartPolicy").asText());
        assertEquals("Public", props.at("/ipAddress/type").asText());
        assertEquals("[{\"port\":80,\"protocol\":\"TCP\"},{\"port\":443,\"protocol\":\"TCP\"}]",
                props.at("/ipAddress/ports").toString());
        JsonNode containers = props.get("containers");
        assertEquals(2, containers.size());
        JsonNode proxy = container(props, "proxy");
        JsonNode manager = container(props, "caddy-manager");
        assertTrue(proxy.at("/properties/ports").isMissingNode(), "the proxy lists no port: 3000 stays in the group (D5)");
        assertEquals(props.at("/ipAddress/ports"), manager.at("/properties/ports"));
        assertFalse(group.toString().contains("\"port\":3000"), "port 3000 must not be exposed anywhere");

        for (JsonNode c : List.of(proxy, manager)) {
            Map<String, JsonNode> env = env(c);
            assertEquals("[parameters('caddyManagerToken')]", env.get("CADDY_MANAGER_TOKEN").path("secureValue").asText(),
                    c.path("name").asText() + ": the token is a secureValue");
            env.values().forEach(e -> assertFalse(e.path("value").asText().matches(
                    ".*parameters\\('(registryUsername|registryPassword|caddyManagerToken|clientKey|redisUrl|"
                            + "applicationInsightsConnectionString)'\\).*"), e.toString()));
            assertEquals("[parameters('applicationInsightsConnectionString')]",
                    env.get("APPLICATIONINSIGHTS_CONNECTION_STRING").path("secureValue").asText());
            for (String name : List.of("CONFIG_PATH", "PERSISTENCE_MODE", "AZURE_STORAGE_ACCOUNT_URL",
                    "CONFIG_BLOB_CONTAINER", "CONFIG_BLOB_NAME", "LOG_LEVEL")) {
                assertTrue(env.containsKey(name), c.path("name").asText() + " lacks " + name);
            }
            assertEquals("[{\"name\":\"data\",\"mountPath\":\"[variables('dataMountPath')]\"}]",
                    c.at("/properties/volumeMounts").toString());
        }
        assertEquals("/app/data", template().at("/variables/dataMountPath").asText());
        assertEquals("http://127.0.0.1:3000", env(manager).get("PROXY_ADMIN_URL").path("value").asText());
        assertEquals("[format('{0}/caddy', variables('dataMountPath'))]", env(manager).get("CADDY_DATA_DIR").path("value").asText(),
                "Caddy's storage on the data volume (D42)");
        assertEquals("3000", env(proxy).get("PORT").path("value").asText());
        assertEquals("[parameters('redisUrl')]", env(proxy).get("REDIS_URL").path("secureValue").asText());
        assertEquals("[parameters('clientKey')]", env(proxy).get("AOAIGW_FIRST_CLIENT_KEY").path("secureValue").asText());
        assertTrue(env(proxy).get("CONFIG_SEED_JSON").path("value").asText().startsWith("[string(createObject("));
    }

    @Test
    void storageKeyIsReadInlineOnlyForTheAzureFilesMount() {
        JsonNode t = template();
        assertFalse(t.path("variables").toString().contains("listKeys"), "no listKeys in variables");
        JsonNode group = resources(t, "Microsoft.ContainerInstance/containerGroups").getFirst();
        String volumes = group.at("/properties/volumes").asText();
        assertTrue(volumes.startsWith("[if(variables('useAzureFile'), ") && volumes.contains("'azureFile'")
                && volumes.contains("listKeys(resourceId('Microsoft.Storage/storageAccounts', parameters('storageAccountName'))")
                && volumes.contains("'emptyDir'"), volumes);
        String rest = t.toString().replace(group.at("/properties/volumes").toString(), "");
        assertFalse(rest.contains("listKeys"), "listKeys used outside the volume definition");

        JsonNode storage = resources(t, "Microsoft.Storage/storageAccounts").getFirst();
        assertEquals("[variables('useAzureFile')]", storage.at("/properties/allowSharedKeyAccess").asText(),
                "shared keys only for the Azure Files mount");
        assertFalse(storage.at("/properties/allowBlobPublicAccess").asBoolean(true));
        assertEquals("TLS1_2", storage.at("/properties/minimumTlsVersion").asText());
        assertEquals("[variables('useAzureFile')]",
                resources(t, "Microsoft.Storage/storageAccounts/fileServices/shares").getFirst().path("condition").asText());
        assertEquals("[not(variables('useAzureFile'))]",
                resources(t, "Microsoft.Storage/storageAccounts/blobServices/containers").getFirst().path("condition").asText());
    }

    @Test
    void noCloudSuffixIsHardCoded() throws IOException {
        assertTrue(template().at("/variables/blobAccountUrl").asText().contains("environment().suffixes.storage"));
        Path infra = Repo.root().resolve("infra");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(infra)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> !infra.relativize(p).startsWith("src") && !infra.relativize(p).startsWith("target"))
                    .toList();
        }
        assertTrue(files.size() > 10, files.toString());
        for (Path p : files) {
            String text = Files.readString(p);
            for (String suffix : List.of("core.windows.net", "core.chinacloudapi.cn", "core.usgovcloudapi.net")) {
                assertFalse(text.contains(suffix), infra.relativize(p) + " hard-codes " + suffix);
            }
            assertFalse(text.contains(Repo.root().toString()), infra.relativize(p) + " holds this machine's path");
        }
    }

    @Test
    void roleAssignmentsUseTheRightRolesOnTheRightScopes() {
        JsonNode t = template();
        List<JsonNode> outer = resources(t, "Microsoft.Authorization/roleAssignments");
        assertEquals(1, outer.size());
        JsonNode blob = outer.getFirst();
        assertEquals("[not(variables('useAzureFile'))]", blob.path("condition").asText(), "blob mode only");
        assertTrue(blob.path("scope").asText().contains("blobServices/default/containers/"), blob.path("scope").asText());
        assertEquals(STORAGE_BLOB_DATA_CONTRIBUTOR, roleId(t, blob));
        assertEquals("ServicePrincipal", blob.at("/properties/principalType").asText());
        String groupPrincipal = "[reference(resourceId('Microsoft.ContainerInstance/containerGroups', "
                + "parameters('containerGroupName')), '2023-05-01', 'full').identity.principalId]";
        assertEquals(groupPrincipal, blob.at("/properties/principalId").asText());

        JsonNode deployment = nestedDeployment();
        assertEquals("[parameters('cognitiveServicesAccountResourceGroup')]", deployment.path("resourceGroup").asText(),
                "the role is assigned in the account's own resource group");
        assertEquals("inner", deployment.at("/properties/expressionEvaluationOptions/scope").asText());
        assertEquals(groupPrincipal, deployment.at("/properties/parameters/principalId/value").asText());
        JsonNode inner = deployment.at("/properties/template");
        List<JsonNode> nested = resources(inner, "Microsoft.Authorization/roleAssignments");
        assertEquals(1, nested.size());
        JsonNode openAi = nested.getFirst();
        assertTrue(openAi.path("scope").asText().contains("Microsoft.CognitiveServices/accounts/"), openAi.toString());
        assertEquals(COGNITIVE_SERVICES_OPENAI_USER, roleId(inner, openAi));
        assertEquals("[parameters('principalId')]", openAi.at("/properties/principalId").asText());
        assertEquals("ServicePrincipal", openAi.at("/properties/principalType").asText());

        JsonNode acr = acrDeployment();
        assertEquals("[variables('useAcr')]", acr.path("condition").asText(), "only with acrName");
        assertEquals("[parameters('acrResourceGroup')]", acr.path("resourceGroup").asText());
        JsonNode acrInner = acr.at("/properties/template");
        JsonNode pull = resources(acrInner, "Microsoft.Authorization/roleAssignments").getFirst();
        assertTrue(pull.path("scope").asText().contains("Microsoft.ContainerRegistry/registries/"), pull.toString());
        assertEquals(ACR_PULL, roleId(acrInner, pull));
        assertTrue(acr.at("/properties/parameters/principalId/value").asText()
                .contains("Microsoft.ManagedIdentity/userAssignedIdentities"), "granted to the pull identity");
        JsonNode group = resources(t, "Microsoft.ContainerInstance/containerGroups").getFirst();
        assertTrue(group.path("dependsOn").toString().contains("-acr-pull"), "the role exists before the first pull");

        Set<String> guids = new TreeSet<>();
        Matcher m = GUID.matcher(t.toString());
        while (m.find()) {
            guids.add(m.group().toLowerCase());
        }
        assertEquals(new TreeSet<>(Set.of(STORAGE_BLOB_DATA_CONTRIBUTOR, COGNITIVE_SERVICES_OPENAI_USER, ACR_PULL)), guids,
                "no other role (the original also granted the deploying user data access)");
    }

    private static String roleId(JsonNode template, JsonNode assignment) {
        String def = assignment.at("/properties/roleDefinitionId").asText();
        Matcher m = Pattern.compile("^\\[subscriptionResourceId\\('Microsoft.Authorization/roleDefinitions', variables\\('([^']+)'\\)\\)]$")
                .matcher(def);
        assertTrue(m.matches(), def);
        return template.at("/variables/" + m.group(1)).asText();
    }

    @Test
    void outputsExist() {
        JsonNode outputs = template().get("outputs");
        assertEquals(new TreeSet<>(Set.of("containerGroupId", "principalId", "publicIpAddress", "fqdn", "blobAccountUrl",
                "storageMode", "siteUrl")), names(outputs));
        outputs.forEach(o -> {
            assertEquals("string", o.path("type").asText(), o.toString());
            assertTrue(o.path("value").asText().startsWith("["), o.toString());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"infra/parameters/dev.json", "infra/parameters/prod.json"})
    void parameterFilesNameDeclaredParametersAndHoldPlaceholdersOnly(String file) {
        JsonNode declared = template().get("parameters");
        JsonNode doc = Repo.json(file);
        assertTrue(doc.path("$schema").asText().endsWith("deploymentParameters.json#"), file);
        JsonNode params = doc.get("parameters");
        Set<String> problems = new LinkedHashSet<>();
        params.fields().forEachRemaining(e -> {
            String name = e.getKey();
            JsonNode def = declared.get(name);
            if (def == null) {
                problems.add(name + ": not a template parameter");
                return;
            }
            if (def.path("type").asText().startsWith("secure")) {
                problems.add(name + ": secure parameters are passed at deployment time, never in a file");
            }
            JsonNode value = e.getValue().get("value");
            if (value == null) {
                problems.add(name + ": no value (Key Vault references are not expected here)");
                return;
            }
            String v = value.asText();
            if (IDENTIFYING.contains(name) && !v.matches(".*<[a-z0-9-]+>.*")) {
                problems.add(name + ": must be a <placeholder>, not a real name: " + v);
            }
            if (def.has("allowedValues") && !def.get("allowedValues").toString().contains("\"" + v + "\"")) {
                problems.add(name + ": " + v + " is not an allowed value");
            }
            if (v.matches(".*\\b\\d{1,3}(\\.\\d{1,3}){3}\\b.*")) {
                problems.add(name + ": looks like an IP address: " + v);
            }
            if (GUID.matcher(v).find()) {
                problems.add(name + ": looks like a real id: " + v);
            }
            if (v.matches(".*[A-Za-z0-9+/=]{24,}.*")) {
                problems.add(name + ": looks like a key or token: " + v);
            }
        });
        declared.fields().forEachRemaining(e -> {
            if (!e.getValue().has("defaultValue") && !params.has(e.getKey())) {
                problems.add(e.getKey() + ": required by the template but missing");
            }
        });
        assertEquals(Set.of(), problems, file);
    }

    @Test
    void parameterFilesCoverBothPersistenceModes() {
        assertEquals("azureFile", Repo.json("infra/parameters/dev.json").at("/parameters/persistenceMode/value").asText());
        assertEquals("blob", Repo.json("infra/parameters/prod.json").at("/parameters/persistenceMode/value").asText());
    }

    @Test
    void managedAppPackageIsACopyOfTheTemplateAndUiDefinition() {
        assertEquals(Repo.text("infra/azuredeploy.json"), Repo.text("infra/managed-app/mainTemplate.json"),
                "infra/managed-app/mainTemplate.json must be identical to infra/azuredeploy.json (cp it)");
        assertEquals(Repo.text("infra/createUiDefinition.json"), Repo.text("infra/managed-app/createUiDefinition.json"),
                "infra/managed-app/createUiDefinition.json must be identical to infra/createUiDefinition.json (cp it)");
    }

    @Test
    void uiDefinitionOutputsMapToTemplateParametersAndElements() {
        JsonNode ui = Repo.json("infra/createUiDefinition.json");
        assertEquals("Microsoft.Azure.CreateUIDef", ui.path("handler").asText());
        JsonNode declared = template().get("parameters");
        JsonNode outputs = ui.at("/parameters/outputs");
        Set<String> problems = new LinkedHashSet<>();
        Set<String> basics = new TreeSet<>();
        ui.at("/parameters/basics").forEach(e -> basics.add(e.path("name").asText()));
        Map<String, Set<String>> steps = new java.util.HashMap<>();
        ui.at("/parameters/steps").forEach(s -> {
            Set<String> elements = new TreeSet<>();
            s.get("elements").forEach(e -> elements.add(e.path("name").asText()));
            steps.put(s.path("name").asText(), elements);
        });
        Pattern basic = Pattern.compile("basics\\('([^']+)'\\)");
        Pattern step = Pattern.compile("steps\\('([^']+)'\\)\\.([A-Za-z0-9]+)");
        outputs.fields().forEachRemaining(e -> {
            if (!declared.has(e.getKey())) {
                problems.add(e.getKey() + ": not a template parameter");
            }
            Matcher b = basic.matcher(e.getValue().asText());
            while (b.find()) {
                if (!basics.contains(b.group(1))) {
                    problems.add(e.getKey() + ": no basics element " + b.group(1));
                }
            }
            Matcher s = step.matcher(e.getValue().asText());
            while (s.find()) {
                if (!steps.getOrDefault(s.group(1), Set.of()).contains(s.group(2))) {
                    problems.add(e.getKey() + ": no element " + s.group(2) + " in step " + s.group(1));
                }
            }
        });
        declared.fields().forEachRemaining(e -> {
            if (!e.getValue().has("defaultValue") && !outputs.has(e.getKey())) {
                problems.add(e.getKey() + ": required parameter not produced by the UI");
            }
        });
        assertEquals(Set.of(), problems);
        assertEquals("Microsoft.CognitiveServices/accounts",
                ui.at("/parameters/steps").findValue("resourceType").asText(), "the account is picked, not typed");
    }

    private static JsonNode container(JsonNode groupProperties, String name) {
        for (JsonNode c : groupProperties.get("containers")) {
            if (c.path("name").asText().equals(name)) {
                return c;
            }
        }
        return fail("no container " + name);
    }

    static Map<String, JsonNode> env(JsonNode container) {
        Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        container.at("/properties/environmentVariables").forEach(e -> out.put(e.path("name").asText(), e));
        return out;
    }
}
