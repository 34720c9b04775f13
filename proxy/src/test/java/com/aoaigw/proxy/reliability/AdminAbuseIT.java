package com.aoaigw.proxy.reliability;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.reliability.Rig.Timed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Abuse of the admin area from the network (issue 20.3, 20.4): open mode (admin auth off on loopback) must not be
 * reachable through a reverse proxy, and failed logins must not let anyone lock the admin out nor get more guesses
 * than the policy allows by sending them at once.
 */
@Timeout(120)
class AdminAbuseIT {
    static final String PASSWORD = "Abuse-Adm1n-Pw-8830";

    @TempDir
    Path dir;

    private ProxyServer start(String server) throws Exception {
        return start(server, "[{\"name\":\"nowhere\",\"baseUrl\":\"http://127.0.0.1:9\"}]");
    }

    private ProxyServer start(String server, String upstreams) throws Exception {
        Path config = dir.resolve("config-" + System.nanoTime() + ".json");
        Files.writeString(config, """
                {"server":%s,
                 "auth":{"mode":"apiKey","apiKey":"SHARED-SECRET-1"},
                 "apiKeys":[{"id":"abuse","key":"abuse-client-key"}],
                 "upstreams":%s,
                 "models":[{"id":"gpt-4o-mini","upstream":"%s"}]}
                """.formatted(server, upstreams, upstreams.contains("\"own\"") ? "own" : "nowhere"));
        return ProxyServer.start(ProcessSettings.from(Map.of("CONFIG_PATH", config.toString(), "PORT", "0",
                "HOST", "127.0.0.1")::get));
    }

    private static Timed get(ProxyServer p, String path, String... headers) {
        return Rig.get("http://127.0.0.1:" + p.port() + path, headers);
    }

    private static HttpRequest login(ProxyServer p, String user, String password, String from) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + "/admin/api/login"))
                .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                .header("x-forwarded-for", from)
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password
                        + "\"}")).build();
    }

    /** Issue 20.3: with admin auth off, only a direct local request is let in; never one relayed by Caddy. */
    @Test
    void openAdminIsNeverReachableThroughAReverseProxy() throws Exception {
        String off = "{\"adminAuth\":{\"enabled\":false,\"username\":\"operator\",\"password\":\"" + PASSWORD + "\"}}";
        try (ProxyServer p = start(off)) {
            assertEquals(200, get(p, "/admin/api/config").status(), "a direct local request is let in");
            String[][] relayed = {{"x-forwarded-for", "203.0.113.7"}, {"forwarded", "for=203.0.113.7"},
                {"x-forwarded-proto", "https"}};
            for (String[] h : relayed) {
                Timed t = get(p, "/admin/api/config", h[0], h[1]);
                assertEquals(401, t.status(), h[0] + ": " + t.body());
            }
            Timed mint = Rig.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port() + "/admin/api/keys"))
                    .timeout(Duration.ofSeconds(30)).header("content-type", "application/json")
                    .header("x-requested-with", "t").header("x-forwarded-for", "203.0.113.7")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"stolen\"}")).build());
            assertEquals(401, mint.status(), mint.body());
            assertTrue(!get(p, "/admin/api/keys").body().contains("stolen"), "no key was minted");
        }
        // with Caddy enabled every request arrives from loopback: open mode is off whatever the headers say
        String offWithCaddy = "{\"adminAuth\":{\"enabled\":false,\"username\":\"operator\",\"password\":\"" + PASSWORD
                + "\"},\"caddy\":{\"enabled\":true,\"domain\":\"gw.example.com\"}}";
        try (ProxyServer p = start(offWithCaddy)) {
            assertEquals(401, get(p, "/admin/api/config").status());
            assertEquals(200, get(p, "/admin/api/config", "authorization",
                    "Basic " + java.util.Base64.getEncoder().encodeToString(("operator:" + PASSWORD).getBytes()))
                    .status(), "credentials still work");
        }
        List<ConfigProblem> warnings = new ConfigLoader().load("""
                {"server":%s,"apiKeys":[{"id":"a","key":"abuse-client-key"}],
                 "upstreams":[{"name":"u","baseUrl":"http://127.0.0.1:9"}],"models":[{"id":"m","upstream":"u"}]}
                """.formatted(offWithCaddy)).warnings();
        assertTrue(warnings.stream().anyMatch(w -> w.path().equals("server.adminAuth.enabled")), warnings.toString());
    }

    /**
     * Issue 20.4: twelve wrong logins for the admin's name from eleven addresses do not lock the admin out (the right
     * password from a fresh address logs in, slowed by at most a few seconds), and a burst of 40 concurrent guesses
     * from one address gets exactly the three evaluations the policy allows before its backoff.
     */
    @Test
    void failedLoginsSlowDownButNeverLockTheAdminOutAndBurstsGetNoExtraGuesses() throws Exception {
        try (ProxyServer p = start("{\"adminAuth\":{\"username\":\"operator\",\"password\":\"" + PASSWORD + "\"}}")) {
            List<CompletableFuture<HttpResponse<String>>> wrong = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                wrong.add(Rig.HTTP.sendAsync(login(p, "operator", "guess-" + i, "198.51.100." + (i % 11 + 1)),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> f : wrong) {
                int s = f.get().statusCode();
                assertTrue(s == 401 || s == 429, "wrong password: " + s);
            }
            long t0 = System.nanoTime();
            Timed right = Rig.send(login(p, "operator", PASSWORD, "192.0.2.200"));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(200, right.status(), "the admin is not locked out: " + right.body());
            assertTrue(ms < 15_000, "slowed down by " + ms + " ms");

            List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                burst.add(Rig.HTTP.sendAsync(login(p, "burst-user", "guess-" + i, "192.0.2.77"),
                        HttpResponse.BodyHandlers.ofString()));
            }
            int evaluated = 0;
            int refused = 0;
            for (CompletableFuture<HttpResponse<String>> f : burst) {
                int s = f.get().statusCode();
                if (s == 401) {
                    evaluated++;
                } else if (s == 429) {
                    refused++;
                }
            }
            assertEquals(3, evaluated, "evaluations in a 40-request burst (policy: 3 free failures, then backoff)");
            assertEquals(37, refused);
        }
    }

    /**
     * Issue 20.6: a masked upstream secret does not follow a changed endpoint (the upstream's own key after a
     * {@code baseUrl} change; the shared key when an upstream using it points elsewhere or is added): the save is a
     * 422 naming the field. Unchanged endpoints keep their masked secrets, and the verifier shows an upstream's
     * status and error code, never the text it answered.
     */
    @Test
    void maskedSecretsDoNotFollowAChangedEndpoint() throws Exception {
        com.sun.net.httpserver.HttpServer echo = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        echo.createContext("/", ex -> {
            byte[] b = "{\"error\":{\"code\":\"denied\",\"message\":\"ECHO-CANARY you sent: secret\"}}".getBytes();
            ex.sendResponseHeaders(401, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        echo.start();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString(("operator:" + PASSWORD).getBytes());
        try (ProxyServer p = start("{\"adminAuth\":{\"username\":\"operator\",\"password\":\"" + PASSWORD + "\"}}",
                """
                [{"name":"own","baseUrl":"http://127.0.0.1:9","auth":{"mode":"apiKey","apiKey":"OWN-SECRET-1"}},
                 {"name":"shared","baseUrl":"http://127.0.0.1:10"}]""")) {
            String base = "http://127.0.0.1:" + p.port();
            // the upstream's own key, with a new baseUrl
            Timed t = save(base, basic, c -> up(c, 0).put("baseUrl", "http://127.0.0.1:" + echo.getAddress().getPort()
                    + "/exfil?x="));
            assertEquals(422, t.status(), t.body());
            assertTrue(t.body().contains("upstreams[0].auth.apiKey"), t.body());
            // the shared key, when an upstream using it moves or a new one is added
            t = save(base, basic, c -> up(c, 1).put("baseUrl", "http://attacker.example:8080"));
            assertEquals(422, t.status(), t.body());
            assertTrue(t.body().contains("auth.apiKey"), t.body());
            t = save(base, basic, c -> ((com.fasterxml.jackson.databind.node.ArrayNode) c.path("upstreams")).addObject()
                    .put("name", "new").put("baseUrl", "http://attacker.example"));
            assertEquals(422, t.status(), t.body());
            // unchanged endpoints keep their masked secrets; a re-entered key may go to the new endpoint
            t = save(base, basic, c -> ((com.fasterxml.jackson.databind.node.ObjectNode) c.path("server"))
                    .putObject("upstream").put("retryBaseMs", 120));
            assertEquals(200, t.status(), t.body());
            t = save(base, basic, c -> {
                up(c, 0).put("baseUrl", "http://127.0.0.1:" + echo.getAddress().getPort());
                ((com.fasterxml.jackson.databind.node.ObjectNode) up(c, 0).path("auth")).put("apiKey", "OWN-SECRET-2");
            });
            assertEquals(200, t.status(), t.body());
            Timed v = Rig.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/upstreams/own/verify"))
                    .timeout(Duration.ofSeconds(30)).header("authorization", basic).header("x-requested-with", "t")
                    .POST(HttpRequest.BodyPublishers.noBody()).build());
            assertTrue(v.body().contains("401"), v.body());
            assertTrue(!v.body().contains("ECHO-CANARY"), "the upstream's text is not shown: " + v.body());
        } finally {
            echo.stop(0);
        }
    }

    private static com.fasterxml.jackson.databind.node.ObjectNode up(com.fasterxml.jackson.databind.node.ObjectNode c,
                                                                   int i) {
        return (com.fasterxml.jackson.databind.node.ObjectNode) c.path("upstreams").get(i);
    }

    private static Timed save(String base, String basic,
                              java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> change) {
        Timed got = Rig.get(base + "/admin/api/config", "authorization", basic);
        assertEquals(200, got.status(), got.body());
        com.fasterxml.jackson.databind.JsonNode n = Rig.openJson(got.body());
        com.fasterxml.jackson.databind.node.ObjectNode cfg = (com.fasterxml.jackson.databind.node.ObjectNode) n.path("config");
        change.accept(cfg);
        return Rig.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/config"))
                .timeout(Duration.ofSeconds(30)).header("authorization", basic).header("x-requested-with", "t")
                .header("content-type", "application/json").header("if-match", "\"" + n.path("etag").asText() + "\"")
                .PUT(HttpRequest.BodyPublishers.ofString(cfg.toString())).build());
    }
}
