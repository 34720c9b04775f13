package com.aoaigw.infra;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.config.caddy.CaddyfileRenderer;
import com.aoaigw.config.caddy.RenderOptions;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The first config the ACI templates seed (issue 21, item 1), end to end without Azure: azuredeploy.json is rendered
 * by {@link ArmExpressions} with given parameters, the proxy's CONFIG_SEED_JSON goes through the real entry point into
 * a config file, which the real loader validates and the real Caddyfile renderer turns into the site Caddy serves.
 */
@Timeout(60)
class AciSeedTest {
    private static final String ENDPOINT = "https://my-aoai.openai.azure.com/";

    @TempDir
    Path tmp;

    private static Map<String, Object> required() {
        Map<String, Object> p = new HashMap<>();
        p.put("proxyImage", "myacr.azurecr.io/aoai-gateway/proxy:1");
        p.put("caddyManagerImage", "myacr.azurecr.io/aoai-gateway/caddy-manager:1");
        p.put("storageAccountName", "aoaigwtest");
        p.put("cognitiveServicesAccountName", "my-aoai");
        p.put("location", "westeurope");
        p.put("caddyManagerToken", "t");
        return p;
    }

    private static ArmExpressions render(Map<String, Object> given) {
        Map<String, Object> p = required();
        p.putAll(given);
        return new ArmExpressions(ArmTemplateTest.template(), p, id -> {
            assertTrue(id.contains("Microsoft.CognitiveServices/accounts/my-aoai"), id);
            return Map.of("endpoint", ENDPOINT);
        });
    }

    private static Map<String, Object> proxyEnv(ArmExpressions arm) {
        JsonNode group = ArmTemplateTest.resources(ArmTemplateTest.template(), "Microsoft.ContainerInstance/containerGroups")
                .getFirst();
        for (JsonNode c : group.at("/properties/containers")) {
            if (c.path("name").asText().equals("proxy")) {
                Map<String, Object> env = new HashMap<>();
                ArmTemplateTest.env(c).forEach((k, v) -> env.put(k, arm.value(v.has("value") ? v.get("value") : v.get("secureValue"))));
                return env;
            }
        }
        throw new AssertionError("no proxy container");
    }

    /** The seed as the proxy's first start sees it: written by the entry point, loaded by the real loader. */
    private LoadedConfig seedThroughTheEntryPoint(Map<String, Object> env) throws Exception {
        Path config = tmp.resolve("data/config.json");
        Files.deleteIfExists(config);
        Map<String, String> vars = new HashMap<>();
        vars.put("CONFIG_SEED", null);
        vars.put("CONFIG_SEED_JSON", (String) env.get("CONFIG_SEED_JSON"));
        vars.put("CONFIG_PATH", config.toString());
        Repo.Run run = Repo.run(tmp, vars, List.of("sh", Repo.path("infra/docker/entrypoint.sh").toString(), "true"));
        assertEquals(0, run.exitCode(), run.all());
        String doc = Files.readString(config);
        return new ConfigLoader(Map.of("AOAIGW_FIRST_CLIENT_KEY", String.valueOf(env.get("AOAIGW_FIRST_CLIENT_KEY")))::get)
                .load(doc);
    }

    @Test
    void defaultsSeedCaddyForTheDnsLabelsFqdnWithTheAccountAsUpstream() throws Exception {
        ArmExpressions arm = render(Map.of("clientKey", "first-client-key-0123456789abcdef"));
        String label = (String) arm.evaluate("parameters('dnsNameLabel')");
        assertTrue(label.matches("aoaigw-[0-9a-z]{13}"), label);
        String fqdn = label + ".westeurope.azurecontainer.io";

        Map<String, Object> env = proxyEnv(arm);
        LoadedConfig loaded = seedThroughTheEntryPoint(env);
        GatewayConfig c = loaded.config();
        assertTrue(c.server().caddy().enabled(), "Caddy on from the first start");
        assertEquals(fqdn, c.server().caddy().domain());
        assertEquals("acme", c.server().caddy().ca());
        assertEquals("0.0.0.0", c.server().host());
        assertEquals(3000, c.server().port());
        assertEquals(ENDPOINT, c.upstreams().getFirst().baseUrl());
        assertEquals("gpt-4o-mini", c.models().getFirst().id());
        assertEquals("gpt-4o-mini", c.models().getFirst().targetModel());
        assertEquals("first-client-key-0123456789abcdef", c.apiKeys().getFirst().key().reveal(), "key from the secure env");
        assertEquals("env:AOAIGW_FIRST_CLIENT_KEY", c.apiKeys().getFirst().key().stored(), "never stored in the config");
        assertTrue(c.server().adminAuth().password().isEmpty() && c.server().adminAuth().passwordHash().isEmpty(),
                "no admin password in the template: the proxy generates one and prints it in the container log");

        String caddyfile = new CaddyfileRenderer().render(c.server().caddy(), new RenderOptions("/app/data/caddy", null,
                true, null, null)).orElseThrow();
        assertTrue(caddyfile.contains(fqdn), caddyfile);
        assertEquals("https://" + fqdn + "/admin/", arm.value(ArmTemplateTest.template().at("/outputs/siteUrl/value")));
    }

    @Test
    void domainEmailAndCaReachTheSeededConfig() throws Exception {
        ArmExpressions arm = render(Map.of("domain", "gw.example.com", "acmeEmail", "ops@example.com",
                "ca", "acme-staging", "modelDeployment", "my-gpt5-mini", "redisUrl", "rediss://:pw@cache:6380",
                "applicationInsightsConnectionString", "InstrumentationKey=abc"));
        Map<String, Object> env = proxyEnv(arm);
        GatewayConfig c = seedThroughTheEntryPoint(env).config();
        assertEquals("gw.example.com", c.server().caddy().domain());
        assertEquals("ops@example.com", c.server().caddy().email());
        assertEquals("acme-staging", c.server().caddy().ca());
        assertEquals("my-gpt5-mini", c.models().getFirst().id());
        assertEquals("rediss://:pw@cache:6380", env.get("REDIS_URL"));
        assertEquals("InstrumentationKey=abc", env.get("APPLICATIONINSIGHTS_CONNECTION_STRING"));
        String seed = (String) env.get("CONFIG_SEED_JSON");
        assertFalse(seed.contains("pw@cache") || seed.contains("InstrumentationKey"), "no secret in the seed: " + seed);
        assertEquals("https://gw.example.com/admin/", arm.value(ArmTemplateTest.template().at("/outputs/siteUrl/value")));
    }

    @Test
    void withoutAClientKeyTheSeedStillLoadsAndWarns() throws Exception {
        LoadedConfig loaded = seedThroughTheEntryPoint(proxyEnv(render(Map.of("clientKey", ""))));
        assertTrue(loaded.warnings().stream().anyMatch(w -> w.path().equals("apiKeys[0].key")), loaded.warnings().toString());
    }

    @Test
    void acrPullUsesTheUserAssignedIdentityAndNoAdminUser() {
        ArmExpressions arm = render(Map.of("acrName", "myacr"));
        JsonNode group = ArmTemplateTest.resources(ArmTemplateTest.template(), "Microsoft.ContainerInstance/containerGroups")
                .getFirst();
        @SuppressWarnings("unchecked")
        Map<String, Object> identity = (Map<String, Object>) arm.value(group.get("identity"));
        assertEquals("SystemAssigned, UserAssigned", identity.get("type"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> creds = (List<Map<String, Object>>) arm.value(group.at("/properties/imageRegistryCredentials"));
        assertEquals(1, creds.size());
        assertEquals("myacr.azurecr.test", creds.getFirst().get("server"), "login server from environment()");
        assertTrue(((Map<?, ?>) identity.get("userAssignedIdentities")).containsKey(creds.getFirst().get("identity")),
                "the pull identity is the group's user-assigned identity");
        assertFalse(creds.getFirst().containsKey("password") || creds.getFirst().containsKey("username"), creds.toString());

        ArmExpressions none = render(Map.of());
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) none.value(group.get("identity"));
        assertEquals("SystemAssigned", plain.get("type"));
        assertEquals(List.of(), none.value(group.at("/properties/imageRegistryCredentials")));
    }
}
