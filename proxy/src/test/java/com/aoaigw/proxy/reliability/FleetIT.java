package com.aoaigw.proxy.reliability;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.aoaigw.proxy.admin.BrowserDriver;
import com.aoaigw.proxy.state.RedisProcess;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two proxy processes on one config file and one real redis-server, as behind a load balancer without sticky
 * sessions: a session made on A works on B and a logout on A ends it on B; failed logins count across both; each
 * lists both replicas in {@code GET /admin/api/fleet}, and a replica that missed a config change (its process is
 * stopped with SIGSTOP while the change is saved through A) is flagged until it catches up. The Overview's fleet
 * view is checked in Chromium with the flag showing, with screenshots at 1400 and 390 px under target/.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FleetIT {
    private static final String PASSWORD = "Fleet-admin-pass-1";
    private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void twoReplicasShareSessionsThrottleAndTheFleetView() throws Exception {
        FoundrySim sim = FoundrySim.start(SimSettings.defaults());
        Path dir = Files.createTempDirectory("fleet-it");
        try (RedisProcess redis = RedisProcess.start("fleet-redis-pass")) {
            Path config = dir.resolve("config.json");
            Files.writeString(config, """
                    {"server":{"adminAuth":{"username":"admin","password":"%s"},
                               "sharedState":{"mode":"redis","redisUrl":"env:REDIS_URL"}},
                     "auth":{"mode":"apiKey","apiKey":"sim-key"},
                     "apiKeys":[{"id":"team-a","key":"k-fleet-team-a"},{"id":"team-b","key":"k-fleet-team-b"}],
                     "upstreams":[{"name":"sim","baseUrl":"%s"}],
                     "models":[{"id":"gpt-4o-mini","upstream":"sim","pricing":{"inputPer1M":0.15,"outputPer1M":0.6}},
                               {"id":"gpt-4.1","upstream":"sim","pricing":{"inputPer1M":2,"outputPer1M":8}}]}
                    """.formatted(PASSWORD, sim.baseUrl()));
            Map<String, String> env = Map.of("CONFIG_PATH", config.toString(), "PORT", "0", "HOST", "127.0.0.1",
                    "REDIS_URL", redis.url(), "CONFIG_POLL_MS", "200");
            // host names as a container platform would give them (the replica id is host name and process id)
            Map<String, String> envA = new HashMap<>(env);
            envA.put("HOSTNAME", "gw-a");
            Map<String, String> envB = new HashMap<>(env);
            envB.put("HOSTNAME", "gw-b");
            try (ChildProxy a = ChildProxy.start(envA, List.of()); ChildProxy b = ChildProxy.start(envB, List.of())) {
                // both heartbeat into Redis: each lists both
                for (ChildProxy p : List.of(a, b)) {
                    Rig.await("both replicas listed by " + p.base(), 30_000,
                            () -> fleet(p, basic()).path("replicas").size() == 2);
                }
                JsonNode fa = fleet(a, basic());
                assertEquals("redis", fa.path("mode").asText());
                String idA = fa.path("self").asText();
                String idB = fleet(b, basic()).path("self").asText();
                assertNotEquals(idA, idB);
                assertTrue(idA.startsWith("gw-a-") && idB.startsWith("gw-b-"), idA + " " + idB);
                // traffic on both replicas, two keys and two models (the usage page in the README's screenshot)
                for (int i = 0; i < 12; i++) {
                    String body = i % 3 == 0 ? BODY.replace("gpt-4o-mini", "gpt-4.1") : BODY;
                    assertEquals(200, Rig.post((i % 2 == 0 ? a : b).base() + "/v1/chat/completions",
                            i % 4 < 3 ? "k-fleet-team-a" : "k-fleet-team-b", body).status());
                }
                // clients' mistakes do not make the gateway look unhealthy
                assertEquals(401, Rig.post(a.base() + "/v1/chat/completions", "wrong-key", BODY).status());
                Rig.await("the heartbeats to carry the traffic", 30_000,
                        () -> fleet(a, basic()).path("health").path("counts").path("requests").asInt() == 13);

                // a session made on A is valid on B, writes included; a logout on A ends it on B
                String[] s1 = login(a);
                Rig.Timed onB = Rig.get(b.base() + "/admin/api/session", "Cookie", s1[0]);
                assertEquals(200, onB.status(), onB.body());
                assertEquals("admin", Rig.openJson(onB.body()).path("username").asText());
                assertEquals(s1[1], Rig.openJson(onB.body()).path("csrfToken").asText());
                assertEquals(200, Rig.post(b.base() + "/admin/api/reload", null, "{}", "Cookie", s1[0],
                        "X-CSRF-Token", s1[1]).status(), "a write on B with A's session");
                Rig.Timed out = Rig.post(a.base() + "/admin/api/logout", null, "{}", "Cookie", s1[0],
                        "X-CSRF-Token", s1[1]);
                assertTrue(out.status() < 300, out.body());
                assertEquals(401, Rig.get(b.base() + "/admin/api/session", "Cookie", s1[0]).status(),
                        "logged out on A, so refused on B");

                // B misses a config change: stopped while A saves, it keeps reporting the old version
                String[] s2 = login(a);
                signal(b, "STOP");
                JsonNode flagged;
                Map<String, Object> browser;
                try {
                    JsonNode cur = Rig.openJson(Rig.get(a.base() + "/admin/api/config", "Cookie", s2[0]).body());
                    ObjectNode doc = (ObjectNode) cur.path("config");
                    ((ArrayNode) doc.path("models")).addObject().put("id", "gpt-4o").put("upstream", "sim");
                    Rig.Timed put = Rig.send(HttpRequest.newBuilder(URI.create(a.base() + "/admin/api/config"))
                            .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                            .header("Cookie", s2[0]).header("X-CSRF-Token", s2[1])
                            .header("If-Match", "\"" + cur.path("etag").asText() + "\"")
                            .PUT(HttpRequest.BodyPublishers.ofString(doc.toString())).build());
                    assertEquals(200, put.status(), put.body());
                    String saved = Rig.openJson(put.body()).path("etag").asText();
                    flagged = fleet(a, "Cookie", s2[0]);
                    assertEquals(saved, flagged.path("storeEtag").asText());
                    assertEquals(1, flagged.path("lagging").asInt(), flagged.toString());
                    assertTrue(replica(flagged, idA).path("configCurrent").asBoolean(), flagged.toString());
                    assertFalse(replica(flagged, idB).path("configCurrent").asBoolean(), flagged.toString());
                    assertTrue(replica(flagged, idA).path("self").asBoolean());
                    // the page shows it (on A, while B is still stopped)
                    browser = browser(a, idB, dir);
                } finally {
                    signal(b, "CONT");
                }
                assertEquals("online", flagged.path("health").path("state").asText(), flagged.toString());
                assertEquals(13, flagged.path("health").path("counts").path("requests").asInt(), flagged.toString());
                assertEquals(1, flagged.path("health").path("counts").path("clientErrors").asInt());

                // B resumes, reloads and says so in its next heartbeat
                Rig.await("B to catch up with the saved config", 60_000,
                        () -> fleet(a, "Cookie", s2[0]).path("lagging").asInt() == 0);

                // browser findings, checked after B is running again
                JsonNode res = Rig.JSON.valueToTree(browser.get("result"));
                assertEquals(0, (int) browser.get("exit"), res.toString() + "\n" + browser.get("stderr"));
                assertEquals(2, res.at("/steps/replicas").size(), res.toString());
                assertEquals("online", res.at("/steps/proxyPill").asText(), res.toString());
                assertTrue(res.at("/steps/proxyNote").asText().contains("1 client errors (4xx, not counted)"),
                        res.at("/steps/proxyNote").asText());
                assertTrue(res.at("/steps/narrowOverflow").asInt() <= 0, "the fleet section needs no sideways scrolling at 390 px: "
                        + res.at("/steps/narrowOverflow"));
                assertEquals(0, res.at("/steps/zhMissing").size(), res.at("/steps/zhMissing").toString());
                assertEquals("配置较旧", res.at("/steps/zhFlag").asText());
                assertEquals(0, res.at("/consoleErrors").size(), res.at("/consoleErrors").toString());
                for (String shot : List.of("fleet-1400", "fleet-390", "fleet-zh-1400")) {
                    assertTrue(Files.size(Path.of("target", "screenshots", shot + ".png")) > 1000, shot);
                }

                // failed logins count across the replicas: alternating between them, six attempts meet the
                // throttle (counted per replica, each would see three failures and refuse none of the six)
                List<Integer> statuses = new ArrayList<>();
                boolean retryAfter = false;
                for (int i = 0; i < 6; i++) {
                    Rig.Timed r = Rig.post((i % 2 == 0 ? a : b).base() + "/admin/api/login", null,
                            "{\"username\":\"intruder\",\"password\":\"guess-" + i + "\"}");
                    statuses.add(r.status());
                    retryAfter |= r.status() == 429 && r.response().headers().firstValue("Retry-After").isPresent();
                }
                assertTrue(statuses.contains(429), "statuses " + statuses);
                assertTrue(retryAfter, "a refused attempt says when to retry");
                assertEquals(List.of(401, 401, 401), statuses.subList(0, 3), "three free failures first");

                String logs = a.output() + b.output();
                assertFalse(logs.contains(s1[0].substring(s1[0].indexOf('=') + 1)), "no session token in the logs");
                assertFalse(logs.contains("fleet-redis-pass"), "no Redis password in the logs");
            }
        } finally {
            sim.stop();
        }
    }

    private static String[] basic() {
        return new String[] {"Authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString(("admin:" + PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8))};
    }

    private static JsonNode fleet(ChildProxy p, String... headers) {
        Rig.Timed r = Rig.get(p.base() + "/admin/api/fleet", headers);
        assertEquals(200, r.status(), r.body());
        return Rig.openJson(r.body());
    }

    private static JsonNode replica(JsonNode fleet, String id) {
        for (JsonNode r : fleet.path("replicas")) {
            if (r.path("id").asText().equals(id)) {
                return r;
            }
        }
        throw new AssertionError("no replica " + id + " in " + fleet);
    }

    /** @return the session cookie ({@code name=value}) and the CSRF token */
    private static String[] login(ChildProxy p) {
        Rig.Timed r = Rig.post(p.base() + "/admin/api/login", null,
                "{\"username\":\"admin\",\"password\":\"" + PASSWORD + "\"}");
        assertEquals(200, r.status(), r.body());
        String cookie = r.response().headers().firstValue("Set-Cookie").orElseThrow();
        return new String[] {cookie.substring(0, cookie.indexOf(';')), Rig.openJson(r.body()).path("csrfToken").asText()};
    }

    private static void signal(ChildProxy p, String signal) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).redirectErrorStream(true).start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS) && k.exitValue() == 0, "kill -" + signal);
    }

    private static Map<String, Object> browser(ChildProxy a, String lagging, Path dir) throws Exception {
        Map<String, Object> options = new HashMap<>();
        options.put("toolsDir", BrowserDriver.toolsDir().toString());
        options.put("chromium", BrowserDriver.CHROMIUM.toString());
        options.put("userDataDir", Files.createTempDirectory(dir, "chromium-profile").toString());
        options.put("baseUrl", a.base());
        options.put("username", "admin");
        options.put("password", PASSWORD);
        options.put("screenshots", Path.of("target", "screenshots").toAbsolutePath().toString());
        options.put("replicas", 2);
        options.put("lagging", lagging);
        String readme = System.getProperty("readme.screenshots");
        if (readme != null && !readme.isBlank()) {
            options.put("readmeShots", readme);
        }
        BrowserDriver.Run run = BrowserDriver.run("fleet-page.mjs", options, 120);
        Map<String, Object> out = new HashMap<>();
        out.put("exit", run.exitCode());
        out.put("result", run.result());
        out.put("stderr", run.stderr());
        return out;
    }
}
