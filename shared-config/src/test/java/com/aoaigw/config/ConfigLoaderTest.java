package com.aoaigw.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ConfigLoaderTest {
    static String resource(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static final String ENV_DOC = """
            {
              "auth": {"mode": "apiKey", "apiKey": "env:AOAI_KEY"},
              "apiKeys": [{"id": "a", "key": "env:CLIENT_KEY_A"}, {"id": "b", "key": "plain-key-b"}],
              "upstreams": [{"name": "u", "baseUrl": "https://u.example/",
                             "auth": {"mode": "servicePrincipal", "tenantId": "t", "clientId": "c", "clientSecret": "env:SP_SECRET"}}],
              "models": [{"id": "m", "upstream": "u"}]
            }
            """;

    @Test
    void sampleRoundTripsToEqualRecords() throws IOException {
        ConfigLoader loader = new ConfigLoader(n -> null);
        GatewayConfig first = loader.load(resource("original-sample-config.json")).config();
        String written = loader.write(first);
        GatewayConfig second = loader.load(written).config();
        assertEquals(first, second);
        // a second write is byte-identical: writing is deterministic
        assertEquals(written, loader.write(second));
    }

    @Test
    void envReferencesResolveAtLoadAndAreWrittenBackAsReferences() throws Exception {
        Map<String, String> env = Map.of("AOAI_KEY", "azure-key-value", "CLIENT_KEY_A", "client-a-value",
                "SP_SECRET", "sp-secret-value");
        ConfigLoader loader = new ConfigLoader(env::get);
        GatewayConfig c = loader.load(ENV_DOC).config();
        assertEquals("azure-key-value", c.auth().apiKey().reveal());
        assertEquals("client-a-value", c.apiKeys().get(0).key().reveal());
        assertEquals("sp-secret-value", c.upstreams().get(0).auth().clientSecret().reveal());
        String written = loader.write(c);
        assertFalse(written.contains("azure-key-value"), written);
        assertFalse(written.contains("client-a-value"), written);
        assertFalse(written.contains("sp-secret-value"), written);
        JsonNode tree = new ObjectMapper().readTree(written);
        assertEquals("env:AOAI_KEY", tree.at("/auth/apiKey").asText());
        assertEquals("env:CLIENT_KEY_A", tree.at("/apiKeys/0/key").asText());
        assertEquals("env:SP_SECRET", tree.at("/upstreams/0/auth/clientSecret").asText());
    }

    @Test
    void unsetEnvReferenceIsAWarningNamingTheVariable() {
        ConfigLoader loader = new ConfigLoader(Map.of("SP_SECRET", "s")::get);
        LoadedConfig loaded = loader.load(ENV_DOC);
        assertEquals(List.of(
                "warning: auth.apiKey: refers to the environment variable AOAI_KEY, which is not set: calls with this "
                        + "auth fail until it is set",
                "warning: apiKeys[0].key: refers to the environment variable CLIENT_KEY_A, which is not set: this key "
                        + "cannot be used until it is set"),
                loaded.warnings().stream().map(ConfigProblem::toString).toList());
        // a literally empty required secret stays an error
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(ENV_DOC.replace("env:AOAI_KEY", "")));
        assertEquals("error: auth.apiKey: is empty but the mode is apiKey; set the Azure key (or env:NAME to read it "
                + "from the environment), or choose another mode", e.problems().get(0).toString());
    }

    @Test
    void errorsComeBeforeWarningsInARefusal() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(n -> null).load("""
                {"apiKeys": [{"id": "a", "key": "CHANGEME"}],
                 "upstreams": [{"name": "u", "baseUrl": "https://u.example/"}],
                 "models": [{"id": "m", "upstream": "nope"}]}"""));
        assertEquals(ConfigProblem.Severity.ERROR, e.problems().get(0).severity());
        assertEquals(ConfigProblem.Severity.WARNING, e.problems().get(1).severity());
        assertTrue(e.getMessage().startsWith("error: models[0].upstream"), e::getMessage);
    }

    @Test
    void apiStyleIsAnEnumOnceLoadedAndKeepsItsJsonSpelling() throws IOException {
        LoadedConfig loaded = new ConfigLoader(n -> null).load("""
                {"apiKeys": [{"id": "a", "key": "k-0123456789abcdef"}],
                 "upstreams": [{"name": "u", "baseUrl": "https://u.example/", "apiStyle": "classic"},
                               {"name": "v", "baseUrl": "https://v.example/"}],
                 "models": [{"id": "m", "upstream": "u"}]}""");
        assertEquals(ApiStyle.CLASSIC, loaded.config().upstreams().get(0).apiStyle());
        assertEquals(ApiStyle.V1, loaded.config().upstreams().get(1).apiStyle(), "the default");
        JsonNode written = new ObjectMapper().readTree(new ConfigLoader(n -> null).write(loaded.config()));
        assertEquals("classic", written.path("upstreams").get(0).path("apiStyle").asText());
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(n -> null).load("""
                {"apiKeys": [{"id": "a", "key": "k-0123456789abcdef"}],
                 "upstreams": [{"name": "u", "baseUrl": "https://u.example/", "apiStyle": "Classic"}],
                 "models": [{"id": "m", "upstream": "nope"}]}"""));
        assertEquals(List.of("error: upstreams[0].apiStyle: is 'Classic'; use v1 (/openai/v1/...) or classic "
                        + "(/openai/deployments/{deployment}/...?api-version=)",
                "error: models[0].upstream: 'nope' is not the name of an upstream in upstreams[]"),
                e.problems().stream().map(ConfigProblem::toString).toList(), "the other problems are still reported");
    }

    @Test
    void storeModeIsBlobOnlyForBlob() {
        assertEquals(StoreMode.BLOB, StoreSettings.from(Map.of("PERSISTENCE_MODE", " blob ")::get).mode());
        assertEquals(StoreMode.AZURE_FILE, StoreSettings.from(Map.of("PERSISTENCE_MODE", "Blob")::get).mode());
        assertEquals(StoreMode.AZURE_FILE, StoreSettings.from(Map.<String, String>of()::get).mode());
        assertEquals(StoreMode.BLOB, StoreSettings.from(Map.of("CONFIG_PERSISTENCE_MODE", "blob")::get).mode());
    }

    @Test
    void topLevelMustBeAnObject() {
        ConfigLoader loader = new ConfigLoader(n -> null);
        assertEquals("error: $: expected a JSON object at the top level, got array",
                assertThrows(ConfigException.class, () -> loader.load("[]")).problems().get(0).toString());
        assertEquals("error: $: the document is empty; expected a JSON object",
                assertThrows(ConfigException.class, () -> loader.load("")).problems().get(0).toString());
    }

    @Test
    void nullMeansTheDefault() {
        GatewayConfig c = new ConfigLoader(n -> null).load("""
                {"server": {"port": null, "caddy": null},
                 "apiKeys": [{"id": "a", "key": "a-long-key"}],
                 "upstreams": [{"name": "u", "baseUrl": "https://u.example/"}],
                 "models": [{"id": "m", "upstream": "u"}]}
                """).config();
        assertEquals(3000, c.server().port());
        assertEquals(CaddySettings.defaults(), c.server().caddy());
        assertTrue(c.apiKeys().get(0).active());
    }
}
