package com.aoaigw.proxy.admin;

import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin page end to end in headless Chromium (playwright-core), against the admin area over a real socket. */
class AdminPageIT {
    private static final String PASSWORD = "E2e-admin-pass-1";
    private static final String TOKEN = "e2e-caddy-token-123";

    @Test
    @Timeout(120)
    void adminPageEndToEnd() throws Exception {
        Path tools = BrowserDriver.toolsDir();
        String cfg = """
                {"server": {"host": "127.0.0.1", "adminAuth": {"username": "admin", "password": "%s"}},
                 "auth": {"mode": "apiKey", "apiKey": "upstream-secret-123456"},
                 "upstreams": [{"name": "sim", "baseUrl": "http://127.0.0.1:1/"}],
                 "models": [{"id": "gpt-4o-mini", "upstream": "sim"}]}
                """.formatted(PASSWORD);
        try (AdminHarness h = new AdminHarness(cfg, Map.of("CADDY_MANAGER_TOKEN", TOKEN), AdminHarness.lenient(),
                "127.0.0.1", r -> { })) {
            String report = "{\"reportedAt\":\"" + Instant.now() + "\",\"enabled\":true,\"process\":{\"state\":\"running\","
                    + "\"pid\":4242,\"restarts\":0},\"config\":{\"state\":\"applied\",\"appliedEtag\":\"v1\"},"
                    + "\"certificates\":[{\"domain\":\"gw.example.com\",\"state\":\"valid\",\"issuer\":\"Caddy Local Authority\","
                    + "\"notAfter\":\"2027-01-01T00:00:00Z\"}]}";
            assertEquals(204, h.send(h.req("/internal/caddy/report").header("Authorization", "Bearer " + TOKEN)
                    .POST(HttpRequest.BodyPublishers.ofString(report)).build()).statusCode());
            Path shots = Path.of("target", "screenshots").toAbsolutePath();
            Path profile = Files.createTempDirectory("admin-e2e-profile");
            Map<String, Object> options = new HashMap<>();
            options.put("toolsDir", tools.toString());
            options.put("baseUrl", h.base());
            options.put("username", "admin");
            options.put("password", PASSWORD);
            options.put("screenshots", shots.toString());
            options.put("chromium", BrowserDriver.CHROMIUM.toString());
            options.put("userDataDir", profile.toString());
            options.put("sdk", null);
            BrowserDriver.Run run = BrowserDriver.run(options, 100);
            assertEquals(0, run.exitCode(), run.result().toString() + "\n" + run.stderr());
            assertTrue(run.result().get("ok").asBoolean());
            assertEquals("server.portt", run.result().at("/steps/validationPath").asText());
            assertTrue(run.result().at("/steps/tlsCerts").asText().contains("valid"));
            assertFalse(run.result().at("/steps/tlsStaleShown").asBoolean());
            assertTrue(run.result().at("/steps/logEntries").asInt() >= 1);
            assertEquals(0, run.result().get("consoleErrors").size(), run.result().get("consoleErrors").toString());
            assertTrue(Files.size(shots.resolve("04-config-conflict.png")) > 1000);
            assertTrue(h.store.read().json().contains("gw.example.com"), "the TLS form was saved");
        }
    }
}
