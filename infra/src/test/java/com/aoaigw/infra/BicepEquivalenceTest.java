package com.aoaigw.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code infra/main.bicep} (and its module) against {@code infra/azuredeploy.json}: the same parameters (name, type,
 * secure, default, constraints, description), resources (type, API version, conditional or not), variables, outputs and
 * container environment variables. There is no Bicep compiler here, so the Bicep text is read with regular expressions.
 */
@Timeout(30)
class BicepEquivalenceTest {
    private static final Pattern RESOURCE = Pattern.compile(
            "(?m)^resource\\s+(\\w+)\\s+'([^@']+)@([^']+)'\\s*(existing\\s*)?=\\s*(if\\s*\\()?");
    private static final Pattern MODULE = Pattern.compile("(?m)^module\\s+(\\w+)\\s+'([^']+)'\\s*=\\s*(if\\s*\\()?");
    private static final Pattern OUTPUT = Pattern.compile("(?m)^output\\s+(\\w+)\\s+(\\w+)\\s*=");
    private static final Pattern VAR = Pattern.compile("(?m)^var\\s+(\\w+)\\s*=\\s*(.+)$");
    private static final Pattern ENV_NAME = Pattern.compile("name:\\s*'([A-Z][A-Z0-9_]+)'");

    /** What a Bicep {@code param} declares. */
    record Param(String type, String defaultValue, String description, List<String> allowed, Integer minLength,
                 Integer maxLength) {
    }

    static Map<String, Param> bicepParams(String bicep) {
        Map<String, Param> out = new TreeMap<>();
        List<String> decorators = new ArrayList<>();
        String[] lines = bicep.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.startsWith("@allowed([")) {
                StringBuilder sb = new StringBuilder(line);
                while (!lines[i].strip().equals("])") && !line.endsWith("])")) {
                    i++;
                    sb.append('\n').append(lines[i].strip());
                }
                decorators.add(sb.toString());
            } else if (line.startsWith("@")) {
                decorators.add(line);
            } else if (line.startsWith("param ")) {
                Matcher m = Pattern.compile("^param\\s+(\\w+)\\s+(\\w+)(?:\\s*=\\s*(.+))?$").matcher(line);
                assertTrue(m.matches(), "unparsed param line: " + line);
                boolean secure = false;
                String description = null;
                List<String> allowed = null;
                Integer min = null;
                Integer max = null;
                for (String d : decorators) {
                    if (d.equals("@secure()")) {
                        secure = true;
                    } else if (d.startsWith("@description(")) {
                        description = unquote(d.substring("@description(".length(), d.length() - 1));
                    } else if (d.startsWith("@allowed([")) {
                        allowed = new ArrayList<>();
                        Matcher q = Pattern.compile("'([^']*)'").matcher(d);
                        while (q.find()) {
                            allowed.add(q.group(1));
                        }
                    } else if (d.startsWith("@minLength(")) {
                        min = Integer.valueOf(d.replaceAll("\\D", ""));
                    } else if (d.startsWith("@maxLength(")) {
                        max = Integer.valueOf(d.replaceAll("\\D", ""));
                    }
                }
                String type = secure ? "secure" + m.group(2) : m.group(2);
                String def = m.group(3) == null ? null : m.group(3).startsWith("'") ? unquote(m.group(3)) : "[" + m.group(3) + "]";
                out.put(m.group(1), new Param(type, def, description, allowed, min, max));
                decorators.clear();
            } else if (!line.isEmpty() && !line.startsWith("//")) {
                decorators.clear();
            }
        }
        return out;
    }

    private static String unquote(String quoted) {
        String s = quoted.strip();
        assertTrue(s.startsWith("'") && s.endsWith("'"), "not a Bicep string: " + s);
        return s.substring(1, s.length() - 1).replace("\\'", "'").replace("\\\\", "\\");
    }

    static Map<String, Param> armParams(JsonNode template) {
        Map<String, Param> out = new TreeMap<>();
        template.get("parameters").fields().forEachRemaining(e -> {
            JsonNode p = e.getValue();
            List<String> allowed = null;
            if (p.has("allowedValues")) {
                allowed = new ArrayList<>();
                for (JsonNode v : p.get("allowedValues")) {
                    allowed.add(v.asText());
                }
            }
            out.put(e.getKey(), new Param(p.path("type").asText(),
                    p.has("defaultValue") ? p.get("defaultValue").asText() : null,
                    p.at("/metadata/description").isMissingNode() ? null : p.at("/metadata/description").asText(),
                    allowed,
                    p.has("minLength") ? p.get("minLength").asInt() : null,
                    p.has("maxLength") ? p.get("maxLength").asInt() : null));
        });
        return out;
    }

    /** Resource type@version to "conditional" flags, for declared (not existing) resources and modules. */
    static Map<String, List<Boolean>> bicepResources(String bicep) {
        Map<String, List<Boolean>> out = new TreeMap<>();
        Matcher r = RESOURCE.matcher(bicep);
        while (r.find()) {
            if (r.group(4) == null) {
                out.computeIfAbsent(r.group(2) + "@" + r.group(3), k -> new ArrayList<>()).add(r.group(5) != null);
            }
        }
        Matcher m = MODULE.matcher(bicep);
        while (m.find()) {
            out.computeIfAbsent("Microsoft.Resources/deployments", k -> new ArrayList<>()).add(m.group(3) != null);
        }
        return out;
    }

    static Map<String, List<Boolean>> armResources(JsonNode template) {
        Map<String, List<Boolean>> out = new TreeMap<>();
        template.get("resources").forEach(r -> {
            String type = r.path("type").asText();
            // A Bicep module carries no API version of its own.
            String key = type.equals("Microsoft.Resources/deployments") ? type : type + "@" + r.path("apiVersion").asText();
            out.computeIfAbsent(key, k -> new ArrayList<>()).add(r.has("condition"));
        });
        return out;
    }

    static Map<String, String> bicepOutputs(String bicep) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = OUTPUT.matcher(bicep);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    static Map<String, String> armOutputs(JsonNode template) {
        Map<String, String> out = new TreeMap<>();
        template.path("outputs").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path("type").asText()));
        return out;
    }

    static Map<String, String> bicepVariables(String bicep) {
        Map<String, String> out = new TreeMap<>();
        Matcher m = VAR.matcher(bicep);
        while (m.find()) {
            out.put(m.group(1), m.group(2).strip());
        }
        return out;
    }

    private static void assertEquivalent(String bicep, JsonNode template, String what) {
        Map<String, Param> arm = armParams(template);
        Map<String, Param> bicepSide = bicepParams(bicep);
        assertEquals(arm.keySet(), bicepSide.keySet(), what + ": parameter names");
        arm.forEach((name, p) -> assertEquals(p, bicepSide.get(name), what + ": parameter " + name));
        assertEquals(armResources(template), bicepResources(bicep), what + ": resources (type@version: conditional?)");
        assertEquals(armOutputs(template), bicepOutputs(bicep), what + ": outputs");
        Map<String, String> vars = bicepVariables(bicep);
        assertEquals(new TreeSet<>(iterable(template.path("variables"))), vars.keySet(), what + ": variables");
        vars.forEach((name, value) -> {
            if (value.matches("'[^'$]*'")) {
                assertEquals(unquote(value), template.at("/variables/" + name).asText(), what + ": variable " + name);
            }
        });
    }

    private static List<String> iterable(JsonNode object) {
        List<String> out = new ArrayList<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void mainBicepDeclaresWhatTheArmTemplateDeclares() {
        String bicep = Repo.text("infra/main.bicep");
        JsonNode arm = ArmTemplateTest.template();
        assertEquivalent(bicep, arm, "main.bicep vs azuredeploy.json");
        assertTrue(bicep.contains("targetScope = 'resourceGroup'"));
    }

    @Test
    void moduleMatchesTheNestedDeployment() {
        String bicep = Repo.text("infra/main.bicep");
        Matcher m = MODULE.matcher(bicep);
        List<String> modules = new ArrayList<>();
        while (m.find()) {
            modules.add(m.group(2));
        }
        assertEquals(List.of("modules/acr-pull-role.bicep", "modules/openai-user-role.bicep"), modules);
        assertTrue(bicep.contains("scope: resourceGroup(cognitiveServicesAccountResourceGroup)"),
                "the module is deployed into the account's resource group");
        String module = Repo.text("infra/modules/openai-user-role.bicep");
        JsonNode nested = ArmTemplateTest.nestedDeployment();
        assertEquivalent(module, nested.at("/properties/template"), "module vs nested template");
        assertTrue(module.contains("resource account 'Microsoft.CognitiveServices/accounts@2023-05-01' existing"),
                "the account is referenced, not created");
        assertEquals(ArmTemplateTest.COGNITIVE_SERVICES_OPENAI_USER,
                unquote(bicepVariables(module).get("cognitiveServicesOpenAiUserRoleId")));
        // Deployment names agree.
        assertTrue(bicep.contains("name: '${containerGroupName}-openai-user-role'"));
        assertEquals("[format('{0}-openai-user-role', parameters('containerGroupName'))]", nested.path("name").asText());

        String acrModule = Repo.text("infra/modules/acr-pull-role.bicep");
        JsonNode acr = ArmTemplateTest.acrDeployment();
        assertEquivalent(acrModule, acr.at("/properties/template"), "acr module vs nested template");
        assertTrue(bicep.contains("scope: resourceGroup(acrResourceGroup)"));
        assertTrue(bicep.contains("name: '${containerGroupName}-acr-pull'"));
        assertEquals("[format('{0}-acr-pull', parameters('containerGroupName'))]", acr.path("name").asText());
        assertEquals(ArmTemplateTest.ACR_PULL, unquote(bicepVariables(acrModule).get("acrPullRoleId")));
    }

    @Test
    void theSeededConfigHasTheSameFieldsInBoth() {
        // The ARM side is rendered and loaded by AciSeedTest; here the Bicep object must say the same thing.
        String bicep = Repo.text("infra/main.bicep");
        String seed = bicep.substring(bicep.indexOf("name: 'CONFIG_SEED_JSON'"), bicep.indexOf("name: 'AOAIGW_FIRST_CLIENT_KEY'"));
        for (String line : List.of("enabled: true", "domain: siteDomain", "email: acmeEmail", "ca: ca", "host: '0.0.0.0'", "mode: 'managedIdentity'", "key: 'env:AOAIGW_FIRST_CLIENT_KEY'",
                "baseUrl: account.properties.endpoint", "id: modelDeployment", "targetModel: modelDeployment")) {
            assertTrue(seed.contains(line), "the Bicep seed lacks " + line);
        }
        assertTrue(bicep.contains("var siteDomain = empty(domain) ? '${dnsNameLabel}.${location}.azurecontainer.io' : domain"));
        assertEquals("[if(empty(parameters('domain')), format('{0}.{1}.azurecontainer.io', parameters('dnsNameLabel'), "
                + "parameters('location')), parameters('domain'))]", ArmTemplateTest.template().at("/variables/siteDomain").asText());
    }

    @Test
    void containersGetTheSameEnvironmentVariables() {
        String bicep = Repo.text("infra/main.bicep");
        JsonNode group = ArmTemplateTest.resources(ArmTemplateTest.template(), "Microsoft.ContainerInstance/containerGroups")
                .getFirst();
        // Per container, in order: the Bicep text of each container block starts at its `name: '<container>'` line.
        String proxyBlock = bicep.substring(bicep.indexOf("name: 'proxy'"), bicep.indexOf("name: 'caddy-manager'"));
        String managerBlock = bicep.substring(bicep.indexOf("name: 'caddy-manager'"), bicep.indexOf("volumes: ["));
        Map<String, List<String>> fromBicep = new LinkedHashMap<>();
        fromBicep.put("proxy", envNames(proxyBlock));
        fromBicep.put("caddy-manager", envNames(managerBlock));
        Map<String, List<String>> fromArm = new LinkedHashMap<>();
        for (JsonNode c : group.at("/properties/containers")) {
            fromArm.put(c.path("name").asText(), new ArrayList<>(ArmTemplateTest.env(c).keySet()));
        }
        assertEquals(fromArm, fromBicep);
        assertEquals(2, count(bicep, "secureValue: caddyManagerToken"), "the token is a secureValue in both containers");
    }

    @Test
    void bicepFollowsTheTemplateRules() {
        String bicep = Repo.text("infra/main.bicep");
        bicepVariables(bicep).forEach((name, value) -> assertFalse(value.contains("listKeys"), "listKeys in var " + name));
        assertEquals(1, count(bicep, "listKeys()"), "listKeys only in the Azure Files volume");
        assertTrue(bicep.contains("environment().suffixes.storage"));
        assertTrue(bicep.contains("@secure()\nparam caddyManagerToken string = newGuid()"));
        for (String role : List.of(ArmTemplateTest.STORAGE_BLOB_DATA_CONTRIBUTOR)) {
            assertTrue(bicep.contains("'" + role + "'"), role);
        }
        assertFalse(bicep.contains("port: 3000"), "the proxy's port is never exposed");
        Set<String> used = new TreeSet<>();
        String body = bicep.replaceAll("(?m)^\\s*//.*$", "");
        for (String p : bicepParams(bicep).keySet()) {
            // A parameter is used when its name appears after its own declaration line.
            String afterDecl = body.substring(body.indexOf("param " + p + " ") + ("param " + p).length() + 1);
            if (Pattern.compile("\\b" + p + "\\b").matcher(afterDecl).find()) {
                used.add(p);
            }
        }
        assertEquals(bicepParams(bicep).keySet(), used, "every Bicep parameter is used");
    }

    private static List<String> envNames(String block) {
        List<String> out = new ArrayList<>();
        Matcher m = ENV_NAME.matcher(block);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
