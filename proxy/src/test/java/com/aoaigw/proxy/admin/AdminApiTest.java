package com.aoaigw.proxy.admin;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import com.aoaigw.config.ConfigLoader;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin API over real sockets against a WebServer running the admin feature only. */
@Timeout(60)
class AdminApiTest {
    static final String USER = "ops";
    static final String PASSWORD = "Str0ng-admin-pass";
    static final String UPSTREAM_KEY = "upstream-key-0123456789";
    static final String CLIENT_KEY = "client-key-abcdef123456";
    static final String CADDY_TOKEN = "caddy-token-0123456789";
    static final String CONFIG = """
            {
              "server": {"host": "0.0.0.0", "adminAuth": {"username": "ops", "password": "%s"}},
              "auth": {"mode": "apiKey", "apiKey": "%s"},
              "apiKeys": [{"id": "app1", "key": "%s"}, {"id": "app2", "key": "env:PATH"}],
              "upstreams": [{"name": "main", "baseUrl": "http://127.0.0.1:1/"}],
              "models": [{"id": "gpt-4o-mini", "upstream": "main"}]
            }
            """.formatted(PASSWORD, UPSTREAM_KEY, CLIENT_KEY);

    static AdminHarness h;

    @BeforeAll
    static void start() {
        h = new AdminHarness(CONFIG, Map.of("CADDY_MANAGER_TOKEN", CADDY_TOKEN), AdminHarness.lenient(), "0.0.0.0",
                r -> r.get("/fake/openai/v1/models", (req, res) -> {
                    boolean ok = req.headers().first(io.helidon.http.HeaderNames.create("api-key"))
                            .map(UPSTREAM_KEY::equals).orElse(false);
                    res.status(ok ? 200 : 401).header("Content-Type", "application/json")
                            .send(ok ? "{\"object\":\"list\",\"data\":[]}" : "{\"error\":{\"message\":\"bad key\"}}");
                }));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    static final List<String[]> ROUTES = List.of(
            new String[] {"GET", "/admin/api/config"}, new String[] {"PUT", "/admin/api/config"},
            new String[] {"POST", "/admin/api/config/validate"}, new String[] {"POST", "/admin/api/config/diff"},
            new String[] {"POST", "/admin/api/reload"}, new String[] {"GET", "/admin/api/keys"},
            new String[] {"POST", "/admin/api/keys"}, new String[] {"POST", "/admin/api/keys/app1/disable"},
            new String[] {"POST", "/admin/api/keys/app1/enable"}, new String[] {"DELETE", "/admin/api/keys/app1"},
            new String[] {"PUT", "/admin/api/keys/app1/models"}, new String[] {"POST", "/admin/api/upstreams/main/verify"},
            new String[] {"GET", "/admin/api/runtime"}, new String[] {"GET", "/admin/api/stats"},
            new String[] {"GET", "/admin/api/logs"}, new String[] {"GET", "/admin/api/tls"},
            new String[] {"POST", "/admin/api/tls/preview"}, new String[] {"GET", "/admin/api/session"},
            new String[] {"POST", "/admin/api/logout"});

    private HttpRequest.Builder method(HttpRequest.Builder b, String m, String body) {
        return b.method(m, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    void everyRouteRefusesAnonymousAndClientKeys() {
        for (String[] route : ROUTES) {
            HttpResponse<String> anon = h.send(method(h.req(route[1]), route[0], "{}")
                    .header("X-Requested-With", "x").build());
            assertEquals(401, anon.statusCode(), route[0] + " " + route[1] + " anonymous");
            HttpResponse<String> bearer = h.send(method(h.req(route[1]), route[0], "{}")
                    .header("Authorization", "Bearer " + CLIENT_KEY).header("X-Requested-With", "x").build());
            assertEquals(401, bearer.statusCode(), route[0] + " " + route[1] + " with a client key");
            HttpResponse<String> apiKey = h.send(method(h.req(route[1]), route[0], "{}")
                    .header("api-key", CLIENT_KEY).header("X-Requested-With", "x").build());
            assertEquals(401, apiKey.statusCode(), route[0] + " " + route[1] + " with api-key");
            assertEquals("unauthorized", AdminHarness.json(bearer).path("error").path("code").asText());
        }
    }

    @Test
    void loginSetsAHardenedCookieAndCsrfGuardsWrites() {
        HttpResponse<String> bad = h.send(h.req("/admin/api/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ops\",\"password\":\"nope\"}")).build());
        assertEquals(401, bad.statusCode());
        AdminHarness.Login login = h.login(USER, PASSWORD);
        String sc = login.setCookie();
        assertTrue(sc.contains("HttpOnly") && sc.contains("SameSite=Strict") && sc.contains("Path=/admin"), sc);
        assertFalse(sc.contains("Secure"), "plain HTTP from a loopback client without X-Forwarded-Proto: " + sc);

        HttpResponse<String> session = h.send(h.req("/admin/api/session").header("Cookie", login.cookie()).build());
        assertEquals(200, session.statusCode());
        assertEquals(login.csrf(), AdminHarness.json(session).get("csrfToken").asText());

        HttpResponse<String> noCsrf = h.send(h.req("/admin/api/reload").header("Cookie", login.cookie())
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(403, noCsrf.statusCode());
        assertEquals("csrf_failed", AdminHarness.json(noCsrf).path("error").path("code").asText());
        HttpResponse<String> wrongCsrf = h.send(h.req("/admin/api/reload").header("Cookie", login.cookie())
                .header("X-CSRF-Token", "forged").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(403, wrongCsrf.statusCode());
        HttpResponse<String> ok = h.send(h.req("/admin/api/reload").header("Cookie", login.cookie())
                .header("X-CSRF-Token", login.csrf()).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, ok.statusCode(), ok.body());

        HttpResponse<String> logout = h.send(h.req("/admin/api/logout").header("Cookie", login.cookie())
                .header("X-CSRF-Token", login.csrf()).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, logout.statusCode());
        assertTrue(logout.headers().firstValue("set-cookie").orElseThrow().contains("Max-Age=0"));
        HttpResponse<String> after = h.send(h.req("/admin/api/session").header("Cookie", login.cookie()).build());
        assertEquals(401, after.statusCode());
    }

    @Test
    void cookieIsSecureBehindCaddyTls() {
        HttpResponse<String> r = h.send(h.req("/admin/api/login").header("Content-Type", "application/json")
                .header("X-Forwarded-Proto", "https")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"ops\",\"password\":\"" + PASSWORD + "\"}"))
                .build());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("set-cookie").orElseThrow().contains("; Secure"));
    }

    @Test
    void basicAuthWritesNeedANonSimpleHeader() {
        String basic = AdminHarness.basic(USER, PASSWORD);
        assertEquals(200, h.send(h.req("/admin/api/runtime").header("Authorization", basic).build()).statusCode());
        HttpResponse<String> write = h.send(h.req("/admin/api/reload").header("Authorization", basic)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(403, write.statusCode());
        assertEquals("csrf_required", AdminHarness.json(write).path("error").path("code").asText());
        assertEquals(200, h.send(h.req("/admin/api/reload").header("Authorization", basic)
                .header("X-Requested-With", "curl").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        assertEquals(401, h.send(h.req("/admin/api/runtime").header("Authorization", AdminHarness.basic(USER, "x"))
                .build()).statusCode());
    }

    @Test
    void configIsMaskedAndSavedWithIfMatch() throws Exception {
        String basic = AdminHarness.basic(USER, PASSWORD);
        HttpResponse<String> get = h.send(h.req("/admin/api/config").header("Authorization", basic).build());
        assertEquals(200, get.statusCode());
        assertFalse(get.body().contains(UPSTREAM_KEY) || get.body().contains(CLIENT_KEY) || get.body().contains(PASSWORD),
                "secrets must be masked: " + get.body());
        JsonNode body = AdminHarness.json(get);
        JsonNode cfg = body.get("config");
        assertEquals("********", cfg.at("/auth/apiKey").asText());
        assertEquals("env:PATH", cfg.at("/apiKeys/1/key").asText(), "env references are shown");
        String etag = body.get("etag").asText();
        assertEquals("\"" + etag + "\"", get.headers().firstValue("etag").orElseThrow());
        assertEquals(etag, h.store.read().etag());

        // 428 without If-Match
        ((com.fasterxml.jackson.databind.node.ObjectNode) cfg.get("server")).put("port", 3999);
        String edited = cfg.toString();
        HttpResponse<String> noIfMatch = h.send(h.req("/admin/api/config").header("Authorization", basic)
                .header("X-Requested-With", "t").PUT(HttpRequest.BodyPublishers.ofString(edited)).build());
        assertEquals(428, noIfMatch.statusCode());

        // validation errors carry JSON paths
        String broken = edited.replace("\"baseUrl\"", "\"baseUrlx\"");
        HttpResponse<String> invalid = h.send(h.req("/admin/api/config").header("Authorization", basic)
                .header("X-Requested-With", "t").header("If-Match", "\"" + etag + "\"")
                .PUT(HttpRequest.BodyPublishers.ofString(broken)).build());
        assertEquals(422, invalid.statusCode(), invalid.body());
        assertEquals("upstreams[0].baseUrlx", AdminHarness.json(invalid).at("/error/details/0/path").asText());

        // save with masks: the stored secrets are kept
        HttpResponse<String> put = h.send(h.req("/admin/api/config").header("Authorization", basic)
                .header("X-Requested-With", "t").header("If-Match", "\"" + etag + "\"")
                .PUT(HttpRequest.BodyPublishers.ofString(edited)).build());
        assertEquals(200, put.statusCode(), put.body());
        String newEtag = AdminHarness.json(put).get("etag").asText();
        assertNotEquals(etag, newEtag);
        String stored = h.store.read().json();
        assertTrue(stored.contains(UPSTREAM_KEY) && stored.contains(CLIENT_KEY) && stored.contains(PASSWORD), stored);
        assertTrue(stored.contains("3999"));
        assertEquals(3999, h.access.current().config().server().port());
        assertFalse(put.body().contains(UPSTREAM_KEY));

        // a stale etag is a conflict that carries the current version
        HttpResponse<String> stale = h.send(h.req("/admin/api/config").header("Authorization", basic)
                .header("X-Requested-With", "t").header("If-Match", "\"" + etag + "\"")
                .PUT(HttpRequest.BodyPublishers.ofString(edited)).build());
        assertEquals(409, stale.statusCode());
        JsonNode conflict = AdminHarness.json(stale);
        assertEquals(newEtag, conflict.get("etag").asText());
        assertEquals("config_conflict", conflict.at("/error/code").asText());
        assertEquals("********", conflict.at("/config/auth/apiKey").asText());
    }

    @Test
    void validateAndDiffAreDryRuns() {
        String basic = AdminHarness.basic(USER, PASSWORD);
        JsonNode cfg = AdminHarness.json(h.send(h.req("/admin/api/config").header("Authorization", basic).build()))
                .get("config");
        String before = h.store.read().etag();
        String candidate = cfg.toString().replace("\"gpt-4o-mini\"", "\"gpt-4.1\"")
                .replace("\"********\"}, {", "\"********\"}, {");
        com.fasterxml.jackson.databind.node.ObjectNode c = (com.fasterxml.jackson.databind.node.ObjectNode)
                AdminHarness.json(new FakeResponse(candidate));
        ((com.fasterxml.jackson.databind.node.ObjectNode) c.get("auth")).put("apiKey", "a-new-upstream-key-999");
        HttpResponse<String> diff = h.send(h.req("/admin/api/config/diff").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString(c.toString())).build());
        assertEquals(200, diff.statusCode(), diff.body());
        JsonNode changes = AdminHarness.json(diff).get("changes");
        assertFalse(diff.body().contains("a-new-upstream-key-999"), "diff masks secrets: " + diff.body());
        assertTrue(diff.body().contains("\"path\":\"models[0].id\""), diff.body());
        assertTrue(diff.body().contains("\"path\":\"auth.apiKey\""), diff.body());
        assertTrue(changes.size() >= 2);

        HttpResponse<String> valid = h.send(h.req("/admin/api/config/validate").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString(c.toString())).build());
        assertTrue(AdminHarness.json(valid).get("valid").asBoolean(), valid.body());
        HttpResponse<String> invalid = h.send(h.req("/admin/api/config/validate").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString("{\"nope\":1}")).build());
        JsonNode iv = AdminHarness.json(invalid);
        assertFalse(iv.get("valid").asBoolean());
        assertEquals("nope", iv.at("/details/0/path").asText());
        assertEquals("error", iv.at("/details/0/severity").asText());
        assertEquals(before, h.store.read().etag(), "dry runs do not write");
    }

    @Test
    void keysAreCreatedOnceAndManagedThroughTheStore() {
        String basic = AdminHarness.basic(USER, PASSWORD);
        HttpResponse<String> created = h.send(h.req("/admin/api/keys").header("Authorization", basic)
                .header("X-Requested-With", "t")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"team-a\",\"models\":[\"gpt-4o-mini\"]}")).build());
        assertEquals(201, created.statusCode(), created.body());
        String key = AdminHarness.json(created).get("key").asText();
        assertTrue(key.matches("sk-aoai-[0-9A-Za-z]{32}"), key);
        String stored = h.store.read().json();
        assertFalse(stored.contains(key), "only the hash is stored");
        assertTrue(stored.contains(ClientKeys.hashed(key)));
        assertTrue(h.access.current().config().apiKeys().stream().anyMatch(k -> k.id().equals("team-a") && k.hashed()));

        HttpResponse<String> dup = h.send(h.req("/admin/api/keys").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"team-a\"}")).build());
        assertEquals(409, dup.statusCode());

        HttpResponse<String> list = h.send(h.req("/admin/api/keys").header("Authorization", basic).build());
        assertFalse(list.body().contains(key) || list.body().contains(CLIENT_KEY) || list.body().contains("sha256:"),
                list.body());
        assertTrue(list.body().contains("\"id\":\"team-a\""));

        assertEquals(200, h.send(h.req("/admin/api/keys/team-a/disable").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        assertFalse(h.access.current().config().apiKeys().stream().filter(k -> k.id().equals("team-a")).findFirst()
                .orElseThrow().active());
        assertEquals(200, h.send(h.req("/admin/api/keys/team-a/enable").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
        assertEquals(200, h.send(h.req("/admin/api/keys/team-a/models").header("Authorization", basic)
                .header("X-Requested-With", "t").PUT(HttpRequest.BodyPublishers.ofString("{\"models\":[]}")).build())
                .statusCode());
        assertTrue(h.access.current().config().apiKeys().stream().filter(k -> k.id().equals("team-a")).findFirst()
                .orElseThrow().models().isEmpty());
        assertEquals(200, h.send(h.req("/admin/api/keys/team-a").header("Authorization", basic)
                .header("X-Requested-With", "t").DELETE().build()).statusCode());
        assertEquals(404, h.send(h.req("/admin/api/keys/team-a").header("Authorization", basic)
                .header("X-Requested-With", "t").DELETE().build()).statusCode());
        assertFalse(h.store.read().json().contains("team-a"));
    }

    @Test
    void verifyCallsTheModelsEndpointWithoutLeakingTheKey() {
        String basic = AdminHarness.basic(USER, PASSWORD);
        String cfg = h.store.read().json().replace("http://127.0.0.1:1/", h.base() + "/fake/");
        h.store.externalWrite(cfg);
        HttpResponse<String> r = h.send(h.req("/admin/api/upstreams/main/verify").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode v = AdminHarness.json(r);
        assertTrue(v.get("ok").asBoolean(), r.body());
        assertEquals(200, v.get("status").asInt());
        assertEquals("apiKey", v.get("authMode").asText());
        assertFalse(r.body().contains(UPSTREAM_KEY));
        h.store.externalWrite(h.store.read().json().replace(UPSTREAM_KEY, "wrong-upstream-key-42"));
        HttpResponse<String> bad = h.send(h.req("/admin/api/upstreams/main/verify").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.noBody()).build());
        JsonNode b = AdminHarness.json(bad);
        assertFalse(b.get("ok").asBoolean(), bad.body());
        assertEquals(401, b.get("status").asInt());
        // status and error code only: an upstream's own text is never shown (it may echo what it was sent)
        assertTrue(b.get("error").asText().contains("401"), bad.body());
        assertFalse(bad.body().contains("bad key"), bad.body());
        assertFalse(bad.body().contains("wrong-upstream-key-42"));
        h.store.externalWrite(h.store.read().json().replace("wrong-upstream-key-42", UPSTREAM_KEY));
        assertEquals(404, h.send(h.req("/admin/api/upstreams/none/verify").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode());
    }

    @Test
    void runtimeStatsAndLogs() {
        String basic = AdminHarness.basic(USER, PASSWORD);
        JsonNode rt = AdminHarness.json(h.send(h.req("/admin/api/runtime").header("Authorization", basic).build()));
        assertEquals("4.5.0", rt.at("/versions/helidon").asText());
        assertEquals("ready", rt.at("/persistence/state").asText());
        assertEquals("PATH", rt.at("/secretReferences/0/env").asText());
        assertTrue(rt.at("/secretReferences/0/set").asBoolean());
        assertTrue(rt.get("caddyManagerTokenSet").asBoolean());

        Instant now = Instant.now();
        h.admin.stats().accept(new RequestRecord(now, "gpt-4o-mini", "app1", "main", 200, null, 10, 5, 2, 120, 40));
        h.admin.stats().accept(new RequestRecord(now, "gpt-4o-mini", "app1", "main", 429, "rate_limited", 0, 0, 0, 30, -1));
        JsonNode st = AdminHarness.json(h.send(h.req("/admin/api/stats?window=1m").header("Authorization", basic).build()));
        JsonNode m = st.at("/byModel/gpt-4o-mini");
        assertTrue(m.get("requests").asLong() >= 2);
        assertTrue(m.get("errors").asLong() >= 1);
        assertTrue(m.at("/errorsByCode/429 rate_limited").asLong() >= 1);
        assertEquals(60, st.get("series").size());
        assertEquals(400, h.send(h.req("/admin/api/stats?window=2d").header("Authorization", basic).build()).statusCode());

        Logger.getLogger("aoaigw.access").info("{\"requestId\":\"req-42\",\"model\":\"gpt-4o-mini\",\"keyId\":\"app1\","
                + "\"status\":503,\"authorization\":\"Bearer xyz\",\"note\":\"leak " + UPSTREAM_KEY + "\"}");
        Logger.getLogger("com.aoaigw.test").warning("plain line with " + CLIENT_KEY + " and Bearer abcdefghijk");
        JsonNode logs = AdminHarness.json(h.send(h.req("/admin/api/logs?requestId=req-42").header("Authorization", basic)
                .build()));
        assertEquals(1, logs.get("total").asInt(), logs.toString());
        JsonNode e = logs.at("/items/0");
        assertEquals(503, e.get("status").asInt());
        assertEquals("[REDACTED]", e.at("/fields/authorization").asText());
        assertFalse(logs.toString().contains(UPSTREAM_KEY));
        HttpResponse<String> warn = h.send(h.req("/admin/api/logs?level=warn&text=plain%20line")
                .header("Authorization", basic).build());
        assertFalse(warn.body().contains(CLIENT_KEY) || warn.body().contains("abcdefghijk"), warn.body());
        assertEquals(1, AdminHarness.json(warn).get("total").asInt());
        assertEquals(0, AdminHarness.json(h.send(h.req("/admin/api/logs?status=2xx&requestId=req-42")
                .header("Authorization", basic).build())).get("total").asInt());
        assertEquals(400, h.send(h.req("/admin/api/logs?since=yesterday").header("Authorization", basic).build())
                .statusCode());
        long last = AdminHarness.json(warn).get("lastId").asLong();
        assertEquals(0, AdminHarness.json(h.send(h.req("/admin/api/logs?text=plain%20line&after=" + last)
                .header("Authorization", basic).build())).get("total").asInt());
    }

    @Test
    void tlsReportIsTokenProtectedAndShownWithItsAge() {
        String basic = AdminHarness.basic(USER, PASSWORD);
        JsonNode none = AdminHarness.json(h.send(h.req("/admin/api/tls").header("Authorization", basic).build()));
        if (none.get("report").isNull()) {
            assertTrue(none.get("stale").asBoolean());
            assertTrue(none.get("message").asText().contains("caddy-manager not reporting"));
        }
        String report = "{\"reportedAt\":\"" + Instant.now() + "\",\"enabled\":true,\"process\":{\"state\":\"running\","
                + "\"restarts\":0},\"certificates\":[{\"domain\":\"gw.example.com\",\"state\":\"valid\","
                + "\"notAfter\":\"2036-01-01T00:00:00Z\"}]}";
        AdminHarness.Login login = h.login(USER, PASSWORD);
        for (String auth : List.of("", "Bearer wrong", "Bearer " + CLIENT_KEY, basic)) {
            HttpRequest.Builder b = h.req("/internal/caddy/report").header("Content-Type", "application/json")
                    .header("Cookie", login.cookie()).header("X-CSRF-Token", login.csrf());
            if (!auth.isEmpty()) {
                b.header("Authorization", auth);
            }
            assertEquals(401, h.send(b.POST(HttpRequest.BodyPublishers.ofString(report)).build()).statusCode(), auth);
        }
        assertEquals(400, h.send(h.req("/internal/caddy/report").header("Authorization", "Bearer " + CADDY_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"reportedAt\":\"yesterday\"}")).build()).statusCode());
        HttpResponse<String> ok = h.send(h.req("/internal/caddy/report").header("Authorization", "Bearer " + CADDY_TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(report)).build());
        assertEquals(204, ok.statusCode(), ok.body());
        JsonNode tls = AdminHarness.json(h.send(h.req("/admin/api/tls").header("Authorization", basic).build()));
        assertFalse(tls.get("stale").asBoolean());
        assertEquals("valid", tls.at("/report/certificates/0/state").asText());
        assertEquals(443, tls.at("/settings/httpsPort").asInt());

        HttpResponse<String> preview = h.send(h.req("/admin/api/tls/preview").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"enabled\":true,\"domain\":\"gw.example.com\",\"email\":\"ops@example.com\",\"httpsPort\":8443}"))
                .build());
        assertEquals(200, preview.statusCode(), preview.body());
        String caddyfile = AdminHarness.json(preview).get("caddyfile").asText();
        assertTrue(caddyfile.contains("gw.example.com:8443 {") && caddyfile.contains("https_port 8443")
                && caddyfile.contains("health_uri /healthz") && caddyfile.contains("admin 127.0.0.1:2019"), caddyfile);
        HttpResponse<String> injected = h.send(h.req("/admin/api/tls/preview").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"enabled\":true,\"domain\":\"gw.example.com {\\n}\"}")).build());
        assertEquals(422, injected.statusCode(), injected.body());
        assertEquals(422, h.send(h.req("/admin/api/tls/preview").header("Authorization", basic)
                .header("X-Requested-With", "t").POST(HttpRequest.BodyPublishers.ofString("{\"domian\":\"x\"}"))
                .build()).statusCode());
    }

    @Test
    void staticPageHasSecurityHeaders() {
        HttpResponse<String> page = h.send(h.req("/admin/").build());
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<html"));
        String csp = page.headers().firstValue("content-security-policy").orElseThrow();
        assertTrue(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), csp);
        assertEquals("DENY", page.headers().firstValue("x-frame-options").orElseThrow());
        assertEquals("no-referrer", page.headers().firstValue("referrer-policy").orElseThrow());
        HttpResponse<String> redirect = h.send(h.req("/admin").build());
        assertEquals(301, redirect.statusCode());
        HttpResponse<String> api = h.send(h.req("/admin/api/runtime").build());
        assertEquals("no-store", api.headers().firstValue("cache-control").orElseThrow());
    }

    @Test
    void uplotIsServedFromItsWebJarUnderTheAdminHeaders() {
        HttpResponse<String> js = h.send(h.req(AdminVendor.UPLOT_PATH + "/uPlot.esm.js").build());
        assertEquals(200, js.statusCode());
        assertTrue(js.headers().firstValue("content-type").orElseThrow().contains("javascript"), js.headers().toString());
        assertTrue(js.body().contains("export { uPlot as default }"), "the ES module build");
        assertTrue(js.headers().firstValue("content-security-policy").orElseThrow().contains("script-src 'self'"));
        HttpResponse<String> css = h.send(h.req(AdminVendor.UPLOT_PATH + "/uPlot.min.css").build());
        assertEquals(200, css.statusCode());
        assertTrue(css.body().contains(".uplot"));
        assertEquals(404, h.send(h.req(AdminVendor.UPLOT_PATH + "/../package.json").build()).statusCode());
    }

    /** Lets a string be parsed with the harness helper. */
    private record FakeResponse(String body) implements HttpResponse<String> {
        public int statusCode() { return 200; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(Map.of(), (a, b) -> true); }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public java.net.URI uri() { return null; }
        public java.net.http.HttpClient.Version version() { return java.net.http.HttpClient.Version.HTTP_1_1; }
    }

    static ConfigLoader loader() {
        return new ConfigLoader();
    }
}
