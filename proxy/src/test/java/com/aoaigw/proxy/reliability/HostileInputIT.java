package com.aoaigw.proxy.reliability;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.reliability.Rig.Resources;
import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile input against the public API and the admin API, from a seeded, bounded generator: malformed, truncated,
 * huge and deeply nested JSON, invalid UTF-8, wrong content types, CR/LF and NUL in header values, oversized
 * headers, path traversal on the admin static files, unknown methods. Every answer must be a 4xx with the right
 * error shape (OpenAI's on the data plane, the admin API's under {@code /admin/api}), within a time bound; nothing
 * may reach the upstream; the proxy stays healthy. Also: admin brute force is slowed then locked out, a client key
 * never opens an admin endpoint, and {@code /internal/caddy/report} refuses anything without its token.
 */
@Timeout(150)
class HostileInputIT {
    static final long SEED = 20261126L;
    static final String KEY = "hostile-client-key";
    static final String ADMIN_USER = "operator";
    static final String ADMIN_PASSWORD = "Hostile-Adm1n-Pw-4471";
    static final String CADDY_TOKEN = "hostile-caddy-manager-token-5512";
    static final int BODY_LIMIT = 256 * 1024;

    @TempDir
    static Path dir;
    static FoundrySim sim;
    static ProxyServer proxy;
    static Resources baseline;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .strictDeployments(false).build());
        proxy = startProxy(dir.resolve("a"));
        assertEquals(200, chat(Rig.chat("gpt-4o-mini", false)).status());
        baseline = Resources.now();
    }

    static ProxyServer startProxy(Path d) throws Exception {
        Files.createDirectories(d);
        Path config = d.resolve("config.json");
        Files.writeString(config, """
                {"server":{"adminAuth":{"username":"%s","password":"%s"}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"hostile","key":"%s"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim"}]}
                """.formatted(ADMIN_USER, ADMIN_PASSWORD, KEY, sim.baseUrl()));
        Map<String, String> env = Map.of("CONFIG_PATH", config.toString(), "PORT", "0", "HOST", "127.0.0.1",
                "CONFIG_POLL_MS", "500", "CADDY_MANAGER_TOKEN", CADDY_TOKEN,
                "BODY_LIMIT", String.valueOf(BODY_LIMIT));
        return ProxyServer.start(ProcessSettings.from(env::get));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.close();
        }
    }

    static String base() {
        return "http://127.0.0.1:" + proxy.port();
    }

    static Timed chat(String body) {
        return Rig.post(base() + "/v1/chat/completions", KEY, body);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Asserts a 4xx whose body has the data plane's (OpenAI) error shape. */
    static void assertClientError(int status, String body, String what) {
        assertTrue(status >= 400 && status < 500, what + " -> " + status + " " + body);
        Rig.openAiError(body);
    }

    /** Asserts a 4xx whose body has the admin API's error shape. */
    static void assertAdminError(int status, String body, String what) {
        assertTrue(status >= 400 && status < 500, what + " -> " + status + " " + body);
        try {
            JsonNode e = Rig.JSON.readTree(body).path("error");
            assertTrue(e.path("message").isTextual() && e.path("code").isTextual(), what + " -> " + body);
        } catch (java.io.IOException ex) {
            throw new AssertionError(what + " -> not JSON: " + body, ex);
        }
    }

    // ---- the seeded generator of bad bodies ------------------------------------------------------------------

    static List<byte[]> hostileBodies(Random rnd, int count) {
        String valid = Rig.chat("gpt-4o-mini", false);
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        out.add("{".getBytes(StandardCharsets.UTF_8));
        out.add("null".getBytes(StandardCharsets.UTF_8));
        out.add("[]".getBytes(StandardCharsets.UTF_8));
        out.add("\"model\"".getBytes(StandardCharsets.UTF_8));
        out.add("{\"model\":42,\"messages\":[]}".getBytes(StandardCharsets.UTF_8));
        out.add("{\"model\":{\"$ne\":1},\"messages\":[]}".getBytes(StandardCharsets.UTF_8));
        out.add("{\"model\":\"gpt-4o-mini\",\"stream\":\"yes\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8));
        out.add("{\"model\":\"../../etc/passwd\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8));
        out.add("{\"model\":\"gpt-4o-mini\",\"model\":\"other\"}".getBytes(StandardCharsets.UTF_8));
        out.add("{\"model\":\"\u0000\r\nx: y\",\"messages\":[]}".getBytes(StandardCharsets.UTF_8));
        out.add(("{\"model\":\"" + "m".repeat(200_000) + "\",\"messages\":[]}").getBytes(StandardCharsets.UTF_8));
        out.add(("[".repeat(100_000) + "]".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        out.add(("{\"model\":\"gpt-4o-mini\",\"messages\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}")
                .getBytes(StandardCharsets.UTF_8));
        out.add(("{\"a\":".repeat(20_000) + "1" + "}".repeat(20_000)).getBytes(StandardCharsets.UTF_8));
        byte[] bad = valid.getBytes(StandardCharsets.UTF_8).clone();
        bad[12] = (byte) 0xC3;
        bad[13] = (byte) 0x28; // an invalid two-byte sequence inside the model name
        out.add(bad);
        out.add(new byte[] {(byte) 0xFF, (byte) 0xFE, '{', '}'});
        out.add(new byte[] {'{', '"', 'm', 'o', 'd', 'e', 'l', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80,
            '"', '}'}); // a UTF-8 encoded lone surrogate
        while (out.size() < count) {
            byte[] v = valid.getBytes(StandardCharsets.UTF_8);
            switch (rnd.nextInt(4)) {
                case 0 -> out.add(java.util.Arrays.copyOf(v, rnd.nextInt(v.length - 1))); // truncated
                case 1 -> {
                    byte[] m = v.clone();
                    for (int i = 0; i < 1 + rnd.nextInt(4); i++) {
                        m[rnd.nextInt(m.length)] = (byte) rnd.nextInt(256); // flipped bytes
                    }
                    out.add(m);
                }
                case 2 -> {
                    byte[] r = new byte[1 + rnd.nextInt(512)];
                    rnd.nextBytes(r);
                    out.add(r); // noise
                }
                default -> {
                    String s = new String(v, StandardCharsets.UTF_8);
                    int cut = rnd.nextInt(s.length());
                    out.add((s.substring(0, cut) + "\",}{][:" .charAt(rnd.nextInt(7)) + s.substring(cut))
                            .getBytes(StandardCharsets.UTF_8)); // a stray structural character
                }
            }
        }
        return out;
    }

    @Test
    void malformedBodiesAreOpenAiShaped4xxAndNeverForwarded() {
        Random rnd = new Random(SEED);
        List<byte[]> bodies = hostileBodies(rnd, 80);
        String[] paths = {"/v1/chat/completions", "/v1/responses", "/v1/embeddings",
            "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"};
        long forwardedBefore = sim.stats().requests();
        int forwarded = 0;
        for (int i = 0; i < bodies.size(); i++) {
            byte[] b = bodies.get(i);
            String path = paths[i % paths.length];
            Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                    .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(b)).build());
            if (t.status() == 200) {
                forwarded++; // a random flip may leave valid JSON with a usable model: the upstream answers
                continue;
            }
            String what = "body #" + i + " (" + b.length + " bytes) to " + path;
            assertFalse(t.status() >= 500, what + " -> " + t.status() + " " + t.body());
            assertClientError(t.status(), t.body(), what);
        }
        assertTrue(sim.stats().requests() - forwardedBefore <= forwarded,
                "only requests answered 200 reached the upstream");
    }

    @Test
    void oversizedBodyIs413() {
        byte[] huge = new byte[BODY_LIMIT * 2];
        java.util.Arrays.fill(huge, (byte) ' ');
        huge[0] = '{';
        huge[huge.length - 1] = '}';
        Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + KEY)
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build());
        assertEquals(413, t.status(), t.body());
        Rig.openAiError(t.body());
        // chunked, without a declared length
        ByteArrayOutputStream req = new ByteArrayOutputStream();
        req.writeBytes(("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < 3; i++) {
            req.writeBytes(Integer.toHexString(BODY_LIMIT).getBytes(StandardCharsets.US_ASCII));
            req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(new byte[BODY_LIMIT]);
            req.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        req.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String r = Rig.raw(proxy.port(), req.toByteArray(), 10_000);
        assertEquals(413, Rig.rawStatus(r), r.substring(0, Math.min(300, r.length())));
        Rig.openAiError(Rig.rawBody(r));
    }

    @Test
    void wrongContentTypesAre415() {
        for (String ct : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
            "application/jsonx", "json", ""}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(Rig.chat("gpt-4o-mini", false)));
            if (!ct.isEmpty()) {
                b.header("content-type", ct);
            }
            Timed t = Rig.send(b.build());
            assertClientError(t.status(), t.body(), "content-type " + ct);
        }
    }

    @Test
    void unknownMethodsAndPathsAre4xx() {
        for (String m : new String[] {"PUT", "DELETE", "PATCH", "OPTIONS", "BREW", "PROPFIND"}) {
            Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(10)).header("authorization", "Bearer " + KEY)
                    .method(m, HttpRequest.BodyPublishers.noBody()).build());
            assertClientError(t.status(), t.body(), m);
        }
        for (String p : new String[] {"/v1/nope", "/v1/chat/completions/../../admin", "/openai/deployments",
            "/%00", "/v1/%2e%2e/%2e%2e/etc/passwd"}) {
            Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base() + p)).timeout(Duration.ofSeconds(10))
                    .header("authorization", "Bearer " + KEY).GET().build());
            assertClientError(t.status(), t.body(), p);
        }
    }

    @Test
    void malformedHeadersAre4xxWithoutHangOrCrash() {
        String body = Rig.chat("gpt-4o-mini", false);
        String[] hostile = {
            "X-Evil: a\rInjected: b",           // a bare CR inside a value
            "X-Evil: a\u0000b",                 // NUL
            "X-Evil: " + "v".repeat(70_000),    // oversized header
            "Authorization: Bearer " + KEY + "\r\nX-Evil : spaced name", // a space before the colon
            "Bad Header Line Without Colon",
        };
        for (String h : hostile) {
            byte[] req = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + h
                    + "\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1);
            String r = Rig.raw(proxy.port(), req, 10_000);
            int status = Rig.rawStatus(r);
            String what = "header " + h.substring(0, Math.min(40, h.length())).replace("\r", "\\r")
                    .replace("\u0000", "\\0");
            assertTrue(status >= 400 && status < 500 || status == -1 && r.startsWith("IOException"),
                    what + " -> " + r.substring(0, Math.min(300, r.length())));
        }
        // a request line that is not HTTP
        String r = Rig.raw(proxy.port(), "GARBAGE\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 10_000);
        int s = Rig.rawStatus(r);
        assertTrue(s == -1 || s >= 400 && s < 500, r);
        assertEquals(200, chat(Rig.chat("gpt-4o-mini", false)).status(), "still serving");
        Resources.settle(baseline, 6, 24);
    }

    @Test
    void adminStaticFilesRefusePathTraversal() {
        String[] paths = {"/admin/../pom.xml", "/admin/%2e%2e/%2e%2e/etc/passwd", "/admin/..%2f..%2fetc%2fpasswd",
            "/admin/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/admin/..%5c..%5cetc%5cpasswd", "/admin//etc/passwd",
            "/admin/%252e%252e/%252e%252e/etc/passwd", "/admin/static/../../../../etc/passwd",
            "/admin/index.html%00.js", "/admin/api/../../etc/passwd"};
        for (String p : paths) {
            String r = Rig.raw(proxy.port(), ("GET " + p + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), 10_000);
            int status = Rig.rawStatus(r);
            assertFalse(r.contains("root:x:0:0") || r.contains("<modelVersion>"), p + " leaked a file: " + r);
            // a normalised path may land on the admin page (200 HTML) or 404; never a 5xx, never outside the page
            assertTrue(status == 200 || status >= 400 && status < 500, p + " -> " + status);
            assertTrue(status != 200 || r.contains("text/html"), p + " -> " + r.substring(0, Math.min(400, r.length())));
        }
    }

    @Test
    void adminApiFuzzIsAdmin4xx() {
        Random rnd = new Random(SEED + 1);
        List<byte[]> bodies = hostileBodies(rnd, 30);
        String auth = basic(ADMIN_USER, ADMIN_PASSWORD);
        String[][] targets = {{"POST", "/admin/api/config/validate"}, {"PUT", "/admin/api/config"},
            {"POST", "/admin/api/config/diff"}, {"POST", "/admin/api/keys"}, {"POST", "/admin/api/tls/preview"}};
        String etagBefore = Rig.openJson(Rig.get(base() + "/admin/api/config", "authorization", auth).body())
                .path("etag").asText();
        for (int i = 0; i < bodies.size(); i++) {
            String[] tgt = targets[i % targets.length];
            Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base() + tgt[1])).timeout(Duration.ofSeconds(10))
                    .header("authorization", auth).header("x-requested-with", "test").header("if-match", "\"nope\"")
                    .header("content-type", "application/json")
                    .method(tgt[0], HttpRequest.BodyPublishers.ofByteArray(bodies.get(i))).build());
            String what = tgt[0] + " " + tgt[1] + " body #" + i;
            if (t.status() == 200 && (tgt[1].endsWith("/validate") || tgt[1].endsWith("/diff"))) {
                // read-only: validate answers 200 {"valid":false,...} for a parseable document; diff accepts any
                // JSON, even a non-object (KnownBugsCheck#adminDiffRefusesANonObject)
                continue;
            }
            assertFalse(t.status() >= 500, what + " -> " + t.status() + " " + t.body());
            assertAdminError(t.status(), t.body(), what);
        }
        // the config is untouched
        Timed cfg = Rig.get(base() + "/admin/api/config", "authorization", auth);
        assertEquals(200, cfg.status(), cfg.body());
        assertEquals(etagBefore, Rig.openJson(cfg.body()).path("etag").asText(), "no hostile write was stored");
        assertFalse(etagBefore.isEmpty());
        assertEquals(200, chat(Rig.chat("gpt-4o-mini", false)).status());
        // login fuzz (does not count towards the lockout unless it reaches the password check)
        for (String b : new String[] {"", "{", "[]", "{\"username\":[1],\"password\":{}}"}) {
            Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base() + "/admin/api/login"))
                    .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(b)).build());
            assertTrue(t.status() >= 400 && t.status() < 500, "login " + b + " -> " + t.status());
        }
    }

    @Test
    void clientKeyNeverOpensAnAdminEndpoint() throws Exception {
        // its own proxy: the wrong Basic passwords below count towards the lockout of 127.0.0.1
        try (ProxyServer p = startProxy(dir.resolve("keys"))) {
            clientKeyNeverOpensAnAdminEndpoint("http://127.0.0.1:" + p.port());
        }
    }

    private static void clientKeyNeverOpensAnAdminEndpoint(String base) {
        String[][] calls = {{"GET", "/admin/api/config"}, {"GET", "/admin/api/keys"}, {"GET", "/admin/api/stats"},
            {"GET", "/admin/api/logs"}, {"GET", "/admin/api/runtime"}, {"PUT", "/admin/api/config"},
            {"POST", "/admin/api/reload"}};
        for (String[] c : calls) {
            for (String[] h : new String[][] {{"authorization", "Bearer " + KEY}, {"api-key", KEY},
                {"authorization", basic(ADMIN_USER, KEY)}, {"authorization", basic("hostile", KEY)}}) {
                Timed t = Rig.send(HttpRequest.newBuilder(URI.create(base + c[1])).timeout(Duration.ofSeconds(10))
                        .header(h[0], h[1]).header("x-requested-with", "x").header("content-type", "application/json")
                        .method(c[0], HttpRequest.BodyPublishers.ofString("{}")).build());
                assertTrue(t.status() == 401 || t.status() == 429, c[0] + " " + c[1] + " with " + h[0] + " -> "
                        + t.status() + " " + t.body());
                assertAdminError(t.status(), t.body(), c[1]);
            }
        }
    }

    @Test
    void caddyReportRefusesAnythingWithoutItsToken() {
        String report = "{\"reportedAt\":\"2026-01-01T00:00:00Z\"}";
        String[][] auths = {{}, {"authorization", "Bearer " + KEY}, {"authorization", "Bearer wrong"},
            {"authorization", "Bearer " + CADDY_TOKEN + "x"}, {"authorization", basic(ADMIN_USER, ADMIN_PASSWORD)},
            {"authorization", "bearer"}, {"x-caddy-token", CADDY_TOKEN}};
        for (String[] a : auths) {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + "/internal/caddy/report"))
                    .timeout(Duration.ofSeconds(10)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(report));
            if (a.length == 2) {
                b.header(a[0], a[1]);
            }
            Timed t = Rig.send(b.build());
            assertEquals(401, t.status(), String.join(" ", a) + " -> " + t.body());
        }
        Timed get = Rig.get(base() + "/internal/caddy/report", "authorization", "Bearer " + CADDY_TOKEN);
        assertTrue(get.status() == 405 || get.status() == 404, get.status() + " " + get.body());
        // with the token a garbage body is a 400, a report is accepted
        Timed garbage = Rig.post(base() + "/internal/caddy/report", CADDY_TOKEN, "{{{");
        assertEquals(400, garbage.status(), garbage.body());
    }

    @Test
    void adminBruteForceIsSlowedThenLockedOut() throws Exception {
        // its own proxy: the lockout would otherwise lock this test class out of its admin API
        try (ProxyServer p = startProxy(dir.resolve("brute"))) {
            String url = "http://127.0.0.1:" + p.port() + "/admin/api/login";
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Timed t = Rig.post(url, null, "{\"username\":\"" + ADMIN_USER + "\",\"password\":\"guess" + i + "\"}");
                statuses.add(t.status());
                if (t.status() == 429) {
                    assertTrue(t.response().headers().firstValue("retry-after").isPresent(), t.body());
                    assertAdminError(t.status(), t.body(), "login #" + i);
                }
            }
            assertEquals(401, statuses.getFirst(), statuses.toString());
            assertTrue(statuses.contains(429), "guessing is slowed: " + statuses);
            // even the right password is refused while the address is blocked
            Timed right = Rig.post(url, null, "{\"username\":\"" + ADMIN_USER + "\",\"password\":\"" + ADMIN_PASSWORD
                    + "\"}");
            assertEquals(429, right.status(), right.body());
            // HTTP Basic guesses count towards the same lockout
            Timed basicTry = Rig.get("http://127.0.0.1:" + p.port() + "/admin/api/config", "authorization",
                    basic(ADMIN_USER, ADMIN_PASSWORD));
            assertEquals(429, basicTry.status(), basicTry.body());
            // the data plane is not affected by the admin lockout
            Timed data = Rig.post("http://127.0.0.1:" + p.port() + "/v1/chat/completions", KEY,
                    Rig.chat("gpt-4o-mini", false));
            assertEquals(200, data.status(), data.body());
        }
    }
}
