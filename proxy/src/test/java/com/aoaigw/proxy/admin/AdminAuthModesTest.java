package com.aoaigw.proxy.admin;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** First-start password generation, weak passwords, lockout, switching auth off, and the address allow-list. */
@Timeout(60)
class AdminAuthModesTest {
    private static String config(String server) {
        return "{\"server\": " + server + ", \"apiKeys\": [{\"id\": \"k\", \"key\": \"client-key-0123456789abcdef\"}], \"upstreams\": [{\"name\": \"u\", \"baseUrl\": \"http://127.0.0.1:1/\"}],"
                + " \"models\": [{\"id\": \"m\", \"upstream\": \"u\"}]}";
    }

    private static HttpResponse<String> runtime(AdminHarness h, String user, String password) {
        return h.send(h.req("/admin/api/runtime").header("Authorization", AdminHarness.basic(user, password)).build());
    }

    @Test
    void adminAdminNeverWorksAndAGeneratedPasswordIsStored() {
        try (AdminHarness h = new AdminHarness(config("{\"adminAuth\": {\"username\": \"admin\", \"password\": \"admin\"}}"),
                Map.of(), AdminHarness.lenient(), "0.0.0.0", r -> { })) {
            String out = h.stdout.toString(StandardCharsets.UTF_8);
            String generated = h.admin.generatedPassword().orElseThrow();
            assertTrue(out.contains(generated), "printed once to stdout");
            assertEquals(1, out.split(generated, -1).length - 1);
            assertEquals(401, runtime(h, "admin", "admin").statusCode());
            assertEquals(200, runtime(h, "admin", generated).statusCode());
            String stored = h.store.read().json();
            assertTrue(stored.contains("pbkdf2-sha256$"), stored);
            assertFalse(stored.contains(generated));
            assertFalse(stored.contains("\"password\""), "the weak password is removed: " + stored);
            assertTrue(new PasswordHasher().verify(generated,
                    h.access.current().config().server().adminAuth().passwordHash().reveal()));
        }
    }

    @Test
    void aConfiguredHashIsUsedAndNothingIsGenerated() {
        String hash = new PasswordHasher().hash("correct horse battery");
        try (AdminHarness h = new AdminHarness(config("{\"adminAuth\": {\"passwordHash\": \"" + hash + "\"}}"),
                Map.of(), AdminHarness.lenient(), "0.0.0.0", r -> { })) {
            assertTrue(h.admin.generatedPassword().isEmpty());
            assertEquals("", h.stdout.toString(StandardCharsets.UTF_8));
            assertEquals(200, runtime(h, "admin", "correct horse battery").statusCode());
            assertEquals(401, runtime(h, "admin", "correct horse batter").statusCode());
        }
    }

    @Test
    void repeatedFailuresBackOffAndLockOut() {
        LoginThrottle.Policy policy = new LoginThrottle.Policy(3, Duration.ofSeconds(30), Duration.ofSeconds(60), 5,
                Duration.ofMinutes(15), Duration.ofMinutes(15));
        try (AdminHarness h = new AdminHarness(config("{\"adminAuth\": {\"password\": \"Good-pass-123\"}}"),
                Map.of(), policy, "0.0.0.0", r -> { })) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, login(h, "admin", "wrong").statusCode());
            }
            HttpResponse<String> blocked = login(h, "admin", "Good-pass-123");
            assertEquals(429, blocked.statusCode(), "even the right password waits out the backoff");
            long retry = Long.parseLong(blocked.headers().firstValue("retry-after").orElseThrow());
            assertTrue(retry > 0 && retry <= 30, "retry-after " + retry);
            assertEquals(429, runtime(h, "admin", "Good-pass-123").statusCode(), "Basic shares the throttle");
        }
    }

    private static HttpResponse<String> login(AdminHarness h, String user, String password) {
        return h.send(h.req("/admin/api/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password
                        + "\"}")).build());
    }

    @Test
    void authCanBeSwitchedOffOnlyOnLoopback() {
        String cfg = config("{\"host\": \"0.0.0.0\", \"adminAuth\": {\"enabled\": false, \"password\": \"Good-pass-123\"}}");
        try (AdminHarness h = new AdminHarness(cfg, Map.of(), AdminHarness.lenient(), "0.0.0.0", r -> { })) {
            assertEquals(401, h.send(h.req("/admin/api/runtime").build()).statusCode());
        }
        try (AdminHarness h = new AdminHarness(cfg, Map.of(), AdminHarness.lenient(), "127.0.0.1", r -> { })) {
            assertEquals(200, h.send(h.req("/admin/api/runtime").build()).statusCode());
            assertEquals(403, h.send(h.req("/admin/api/reload").POST(HttpRequest.BodyPublishers.noBody()).build())
                    .statusCode(), "writes still need a non-simple header");
            assertEquals(200, h.send(h.req("/admin/api/reload").header("X-Requested-With", "t")
                    .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        }
    }

    @Test
    void addressesOutsideTheAllowListAreRefused() {
        String cfg = config("{\"adminAllowedCidrs\": [\"10.0.0.0/8\"], \"adminAuth\": {\"password\": \"Good-pass-123\"}}");
        try (AdminHarness h = new AdminHarness(cfg, Map.of(), AdminHarness.lenient(), "0.0.0.0", r -> { })) {
            HttpResponse<String> r = runtime(h, "admin", "Good-pass-123");
            assertEquals(403, r.statusCode());
            assertEquals(403, h.send(h.req("/admin/").build()).statusCode());
            // behind the local Caddy, the forwarded address counts
            assertEquals(200, h.send(h.req("/admin/api/runtime").header("X-Forwarded-For", "10.1.2.3")
                    .header("Authorization", AdminHarness.basic("admin", "Good-pass-123")).build()).statusCode());
        }
    }

    @Test
    void theReportEndpointRefusesEverythingWithoutAToken() {
        try (AdminHarness h = new AdminHarness(config("{\"adminAuth\": {\"password\": \"Good-pass-123\"}}"),
                Map.of(), AdminHarness.lenient(), "0.0.0.0", r -> { })) {
            HttpResponse<String> r = h.send(h.req("/internal/caddy/report").header("Authorization", "Bearer ")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
            assertEquals(403, r.statusCode());
            assertEquals("not_configured", AdminHarness.json(r).at("/error/code").asText());
        }
    }

    @Test
    void changingTheAdminPasswordEndsSessions() throws Exception {
        try (AdminHarness h = new AdminHarness(config("{\"adminAuth\": {\"password\": \"Good-pass-123\"}}"),
                Map.of(), AdminHarness.lenient(), "0.0.0.0", r -> { })) {
            AdminHarness.Login login = h.login("admin", "Good-pass-123");
            HttpResponse<String> get = h.send(h.req("/admin/api/config").header("Cookie", login.cookie()).build());
            com.fasterxml.jackson.databind.JsonNode body = AdminHarness.json(get);
            com.fasterxml.jackson.databind.node.ObjectNode cfg = (com.fasterxml.jackson.databind.node.ObjectNode) body.get("config");
            ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.at("/server/adminAuth")).put("password", "New-pass-4567");
            HttpResponse<String> put = h.send(h.req("/admin/api/config").header("Cookie", login.cookie())
                    .header("X-CSRF-Token", login.csrf()).header("If-Match", "\"" + body.get("etag").asText() + "\"")
                    .PUT(HttpRequest.BodyPublishers.ofString(cfg.toString())).build());
            assertEquals(200, put.statusCode(), put.body());
            assertTrue(AdminHarness.json(put).get("reloginRequired").asBoolean());
            assertEquals(401, h.send(h.req("/admin/api/session").header("Cookie", login.cookie()).build()).statusCode());
            assertEquals(401, runtime(h, "admin", "Good-pass-123").statusCode());
            assertEquals(200, runtime(h, "admin", "New-pass-4567").statusCode());
        }
    }
}
