package com.aoaigw.proxy.admin;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import com.aoaigw.config.ClientKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API parts the page's forms rely on, over real sockets: a key created with its limits, owner, note and
 * expiry in one write (refused with the validator's field paths when a value is wrong), and a validation that
 * reports every problem of a form's document at once, also when a secret has to be entered again.
 */
@Timeout(60)
class AdminFormsApiTest {
    static final String PASSWORD = "Str0ng-forms-pass";
    static final String UPSTREAM_KEY = "upstream-key-forms-0123456789";
    static final String CONFIG = """
            {
              "server": {"host": "127.0.0.1", "adminAuth": {"username": "ops", "password": "%s"}},
              "auth": {"mode": "apiKey", "apiKey": "%s"},
              "apiKeys": [{"id": "app1", "key": "client-key-forms-abcdef"}],
              "upstreams": [{"name": "main", "baseUrl": "http://127.0.0.1:1/",
                             "auth": {"mode": "apiKey", "apiKey": "%s"}}],
              "models": [{"id": "gpt-4o-mini", "upstream": "main"}]
            }
            """.formatted(PASSWORD, UPSTREAM_KEY, UPSTREAM_KEY);

    static AdminHarness h;
    static String basic;

    @BeforeAll
    static void start() {
        h = new AdminHarness(CONFIG, Map.of(), AdminHarness.lenient(), "127.0.0.1", r -> { });
        basic = AdminHarness.basic("ops", PASSWORD);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    private HttpResponse<String> post(String path, String body) {
        return h.send(h.req(path).header("Authorization", basic).header("X-Requested-With", "t")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void aKeyIsCreatedWithItsLimitsInOneWrite() {
        String before = h.store.read().etag();
        HttpResponse<String> refused = post("/admin/api/keys",
                "{\"id\":\"limited\",\"limits\":{\"rpm\":0},\"owner\":\"team-a\"}");
        assertEquals(422, refused.statusCode(), refused.body());
        JsonNode details = AdminHarness.json(refused).at("/error/details");
        assertEquals("apiKeys[1].limits.rpm", details.get(0).get("path").asText(), refused.body());
        assertEquals(before, h.store.read().etag(), "nothing is written when the validator refuses");

        HttpResponse<String> created = post("/admin/api/keys", "{\"id\":\"limited\",\"models\":[\"gpt-4o-mini\"],"
                + "\"limits\":{\"rpm\":2,\"tokensPerDay\":1000},\"owner\":\"team-a\",\"note\":\"from the form\","
                + "\"expiresAt\":\"2030-01-01T00:00:00Z\"}");
        assertEquals(201, created.statusCode(), created.body());
        ClientKey k = h.access.current().config().apiKeys().stream().filter(x -> x.id().equals("limited"))
                .findFirst().orElseThrow();
        assertEquals(2, k.limits().rpm());
        assertEquals(1000L, k.limits().tokensPerDay().longValue());
        assertEquals("team-a", k.owner());
        assertEquals("from the form", k.note());
        assertEquals("2030-01-01T00:00:00Z", k.expiresAt());
        assertTrue(k.hashed(), "the key itself is still stored as its hash");
    }

    @Test
    void validationListsEveryProblemEvenWhenASecretMustBeEnteredAgain() {
        JsonNode cfg = AdminHarness.json(h.send(h.req("/admin/api/config").header("Authorization", basic).build()))
                .get("config");
        ObjectNode doc = cfg.deepCopy();
        // the upstream moves to another host (its masked key must be entered again) and a model names a missing upstream
        ((ObjectNode) doc.at("/upstreams/0")).put("baseUrl", "http://127.0.0.2:1/");
        ((ObjectNode) doc.at("/models/0")).put("upstream", "nowhere");
        HttpResponse<String> r = post("/admin/api/config/validate", doc.toString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode v = AdminHarness.json(r);
        assertFalse(v.get("valid").asBoolean());
        String paths = v.get("details").toString();
        assertTrue(paths.contains("\"path\":\"upstreams[0].auth.apiKey\""), paths);
        assertTrue(paths.contains("\"path\":\"models[0].upstream\""), paths);
        assertFalse(r.body().contains(UPSTREAM_KEY), "no secret in the answer");
    }
}
