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
        Path config = dir.resolve("config-" + System.nanoTime() + ".json");
        Files.writeString(config, """
                {"server":%s,
                 "auth":{"mode":"apiKey","apiKey":"unused"},
                 "apiKeys":[{"id":"abuse","key":"abuse-client-key"}],
                 "upstreams":[{"name":"nowhere","baseUrl":"http://127.0.0.1:9"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"nowhere"}]}
                """.formatted(server));
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
}
