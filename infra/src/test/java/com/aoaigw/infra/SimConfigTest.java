package com.aoaigw.infra;

import java.util.List;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.config.ModelRoute;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code infra/compose/sim-config.json}, the seed of the compose demo: it loads with the real strict loader and
 * validator, points at foundry-sim, and holds references instead of secrets. The surefire configuration
 * of this module sets DEMO_CLIENT_KEY and SIM_API_KEYS, as the compose override does.
 */
@Timeout(30)
class SimConfigTest {
    @Test
    void loadsAndValidatesWithTheSharedLoader() {
        LoadedConfig loaded = new ConfigLoader().load(Repo.text("infra/compose/sim-config.json"));
        GatewayConfig config = loaded.config();
        assertEquals(1, config.upstreams().size());
        assertEquals("http://127.0.0.1:8080/", config.upstreams().getFirst().baseUrl(),
                "foundry-sim shares the proxy's network namespace and listens on SIM_PORT 8080");
        assertEquals(List.of("gpt-4o-mini", "gpt-5-mini", "text-embedding-3-small"),
                config.models().stream().map(ModelRoute::id).toList());
        assertEquals("infra-test-demo-client-key", config.apiKeys().getFirst().key().reveal(),
                "env:DEMO_CLIENT_KEY resolved from the environment");
        assertEquals("infra-test-sim-api-key", config.auth().apiKey().reveal(), "env:SIM_API_KEYS resolved");
        assertFalse(config.server().caddy().enabled(), "the demo serves on 127.0.0.1:3000; Caddy needs a domain");
    }

    @Test
    void holdsNoSecretValues() {
        JsonNode doc = Repo.json("infra/compose/sim-config.json");
        assertEquals("env:SIM_API_KEYS", doc.at("/auth/apiKey").asText());
        doc.get("apiKeys").forEach(k -> assertTrue(k.get("key").asText().startsWith("env:"), k.toString()));
        assertTrue(doc.at("/server/adminAuth").isMissingNode(), "the admin password is generated at first start");
    }
}
