package com.aoaigw.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a save through the admin API writes (the README's "Saving" line): the document as edited, pretty-printed,
 * with the stored secrets behind masks and {@code env:} references kept; keys the document leaves out are not filled
 * in with their defaults.
 */
@Timeout(30)
class ConfigSaveShapeTest {
    private static final String CONFIG = """
            {"server":{"host":"127.0.0.1","adminAuth":{"username":"ops","password":"Str0ng-admin-pass"}},
             "auth":{"mode":"apiKey","apiKey":"env:SAVE_SHAPE_UPSTREAM_KEY"},
             "apiKeys":[{"id":"app","key":"client-key-abcdef123456"}],
             "upstreams":[{"name":"main","baseUrl":"http://127.0.0.1:9"}],
             "models":[{"id":"m","upstream":"main"}]}
            """;

    @Test
    void savingWritesTheEditedDocumentWithoutFillingInDefaults() throws Exception {
        try (AdminHarness h = new AdminHarness(CONFIG, Map.of("SAVE_SHAPE_UPSTREAM_KEY", "k"), AdminHarness.lenient(),
                "127.0.0.1", r -> { })) {
            String basic = AdminHarness.basic("ops", "Str0ng-admin-pass");
            HttpResponse<String> get = h.send(h.req("/admin/api/config").header("Authorization", basic).build());
            assertEquals(200, get.statusCode(), get.body());
            JsonNode body = AdminHarness.json(get);
            ObjectNode cfg = (ObjectNode) body.get("config");
            ((ObjectNode) cfg.get("server")).put("port", 3999);
            HttpResponse<String> put = h.send(h.req("/admin/api/config").header("Authorization", basic)
                    .header("X-Requested-With", "t").header("If-Match", "\"" + body.get("etag").asText() + "\"")
                    .PUT(HttpRequest.BodyPublishers.ofString(cfg.toString())).build());
            assertEquals(200, put.statusCode(), put.body());

            String stored = h.store.read().json();
            JsonNode doc = AdminHarness.JSON.readTree(stored);
            assertEquals(3999, doc.at("/server/port").asInt());
            assertTrue(stored.contains("\n  \"server\""), "pretty-printed: " + stored);
            assertEquals("Str0ng-admin-pass", doc.at("/server/adminAuth/password").asText(), "masked secret kept");
            assertEquals("env:SAVE_SHAPE_UPSTREAM_KEY", doc.at("/auth/apiKey").asText(), "env reference kept");
            assertFalse(doc.at("/server").has("upstream"), "defaults are not written: " + stored);
            assertFalse(doc.has("imageCompression") || doc.at("/server").has("caddy"), stored);
            assertFalse(doc.at("/apiKeys/0").has("status"), stored);
        }
    }
}
