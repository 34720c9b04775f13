package com.aoaigw.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import org.junit.jupiter.api.Test;

import com.aoaigw.config.CircuitBreakerSettings;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.proxy.route.DeploymentId;
import com.aoaigw.proxy.route.LocalPoolState;
import com.fasterxml.jackson.databind.JsonNode;

/** The admin view of the pools: state, until, utilisation, last error and share of traffic, per model. */
class DeploymentsServiceTest {
    @Test
    void eachDeploymentShowsItsStateAndShare() {
        GatewayConfig config = new ConfigLoader().load("""
                {"apiKeys":[{"id":"k","key":"k-0123456789abcdef"}],
                 "upstreams":[{"name":"a","baseUrl":"https://a.example/"},{"name":"b","baseUrl":"https://b.example/"}],
                 "models":[{"id":"m","fallbacks":["n"],"deployments":[
                     {"upstream":"a","deployment":"ptu","spillAbovePercent":90},
                     {"upstream":"b","deployment":"payg","priority":1}]},
                   {"id":"n","upstream":"b","targetModel":"other"}]}
                """).config();
        LocalPoolState state = new LocalPoolState();
        CircuitBreakerSettings cb = CircuitBreakerSettings.DEFAULTS;
        long now = 1_700_000_000_000L;
        DeploymentId ptu = new DeploymentId("a", "ptu");
        DeploymentId payg = new DeploymentId("b", "payg");
        state.succeeded(ptu, cb, now - 1000);
        state.utilisation(ptu, 95.5, now - 500);
        state.rateLimited(ptu, cb, now - 100, now + 4000);
        for (int i = 0; i < 3; i++) {
            state.succeeded(payg, cb, now - 50);
        }
        JsonNode v = DeploymentsService.view(config, state.snapshot(now), now, AdminJson.mapper());
        JsonNode m = v.path("models").get(0);
        assertEquals("m", m.path("model").asText());
        assertEquals("n", m.path("fallbacks").get(0).asText());
        JsonNode p = m.path("deployments").get(0);
        assertEquals("cooling", p.path("state").asText());
        assertEquals(java.time.Instant.ofEpochMilli(now + 4000).toString(), p.path("until").asText());
        assertEquals(95.5, p.path("utilisation").asDouble());
        assertEquals("429", p.path("lastError").asText());
        assertEquals(90, p.path("spillAbovePercent").asInt());
        assertEquals(0.25, p.path("share5m").asDouble());
        JsonNode q = m.path("deployments").get(1);
        assertEquals("ok", q.path("state").asText());
        assertTrue(q.path("until").isNull());
        assertTrue(q.path("utilisation").isNull());
        assertEquals(3, q.path("served5m").asInt());
        assertEquals(0.75, q.path("share5m").asDouble());
        JsonNode n = v.path("models").get(1).path("deployments").get(0);
        assertEquals("ok", n.path("state").asText(), "never seen: ok");
        assertEquals(0, n.path("served5m").asInt());
    }
}
