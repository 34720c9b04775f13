package com.aoaigw.config;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class ConfigMaskerTest {
    private static final String DOC = """
            {
              "server": {"adminAuth": {"username": "ops", "password": "s3cret-Admin-pw"}},
              "auth": {"mode": "apiKey", "apiKey": "env:AOAI_KEY"},
              "apiKeys": [{"id": "a", "key": "client-a-value"}, {"id": "b", "key": "env:CLIENT_B"}],
              "upstreams": [{"name": "u", "baseUrl": "https://u.example/",
                             "auth": {"mode": "apiKey", "apiKey": "upstream-u-key"}}],
              "models": [{"id": "m", "upstream": "u"}]
            }
            """;
    private final ConfigLoader loader = new ConfigLoader(Map.of("AOAI_KEY", "azure-value", "CLIENT_B", "client-b-value")::get);

    @Test
    void maskHidesValuesButShowsReferences() {
        GatewayConfig c = loader.load(DOC).config();
        JsonNode masked = ConfigMasker.mask(c);
        String text = masked.toString();
        for (String secret : List.of("s3cret-Admin-pw", "client-a-value", "upstream-u-key", "azure-value", "client-b-value")) {
            assertFalse(text.contains(secret), text);
        }
        assertEquals(Secret.MASK, masked.at("/server/adminAuth/password").asText());
        assertEquals(Secret.MASK, masked.at("/apiKeys/0/key").asText());
        assertEquals(Secret.MASK, masked.at("/upstreams/0/auth/apiKey").asText());
        assertEquals("env:AOAI_KEY", masked.at("/auth/apiKey").asText());
        assertEquals("env:CLIENT_B", masked.at("/apiKeys/1/key").asText());
    }

    @Test
    void unmaskKeepsCurrentSecretsMatchedByIdAndName() {
        GatewayConfig current = loader.load(DOC).config();
        // the page reorders the keys, disables one and sends the secrets back masked
        JsonNode masked = ConfigMasker.mask(current);
        com.fasterxml.jackson.databind.node.ArrayNode keys = (com.fasterxml.jackson.databind.node.ArrayNode) masked.get("apiKeys");
        JsonNode a = keys.remove(0);
        ((com.fasterxml.jackson.databind.node.ObjectNode) a).put("status", "disabled");
        keys.add(a);
        GatewayConfig incoming = loader.parse(masked.toString());
        GatewayConfig merged = ConfigMasker.unmask(incoming, current);
        assertEquals("b", merged.apiKeys().get(0).id());
        assertEquals("env:CLIENT_B", merged.apiKeys().get(0).key().stored());
        assertEquals("client-a-value", merged.apiKeys().get(1).key().reveal());
        assertEquals("disabled", merged.apiKeys().get(1).status());
        assertEquals("upstream-u-key", merged.upstreams().get(0).auth().apiKey().reveal());
        assertEquals("s3cret-Admin-pw", merged.server().adminAuth().password().reveal());
        assertEquals("env:AOAI_KEY", merged.auth().apiKey().stored());
        assertEquals(current.apiKeys().get(0).key(), merged.apiKeys().get(1).key());
        loader.validate(merged);
    }

    @Test
    void maskForANewKeyIsRefused() {
        GatewayConfig current = loader.load(DOC).config();
        GatewayConfig incoming = loader.parse(ConfigMasker.mask(current).toString()
                .replace("\"id\":\"a\"", "\"id\":\"zz\"").replace("\"id\":\"b\"", "\"id\":\"yy\"")
                .replace("\"apiKeys\":[", "\"apiKeys\":[{\"id\":\"new\",\"key\":\"********\"},"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigMasker.unmask(incoming,
                new ConfigLoader(n -> null).parse("""
                        {"apiKeys": [], "upstreams": [], "models": []}""")));
        assertEquals("error: server.adminAuth.password: holds the mask ******** but no stored secret matches it; "
                + "type the value again", e.problems().get(0).toString());
        assertEquals(4, e.problems().size(), e::getMessage);
    }

    @Test
    void secretRefsListsReferencesAndWhetherTheyAreSet() {
        // parse, not load: an unset reference for a client key is a validation error
        GatewayConfig c = new ConfigLoader(Map.of("AOAI_KEY", "azure-value")::get).parse(DOC);
        assertEquals(List.of(new SecretRefs.SecretRef("auth.apiKey", "AOAI_KEY", true),
                new SecretRefs.SecretRef("apiKeys[1].key", "CLIENT_B", false)), SecretRefs.list(c));
    }
}
