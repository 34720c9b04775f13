package com.aoaigw.proxy.reliability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.aoaigw.proxy.state.RedisProcess;
import com.aoaigw.proxy.usage.SnapshotFile;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The usage history over real sockets, with the proxy as a child process against foundry-sim: it survives a restart
 * (snapshot at shutdown), a SIGKILL in the middle of a snapshot write (the last complete snapshot is loaded), and in
 * Redis mode two replicas on one real redis-server both report the fleet's total.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UsageHistoryIT {
    private static final String ADMIN = "Basic " + Base64.getEncoder()
            .encodeToString("admin:usage-admin-pw".getBytes(StandardCharsets.UTF_8));

    private FoundrySim sim;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        sim = FoundrySim.start(SimSettings.defaults());
        dir = Files.createTempDirectory("usage-history-it");
    }

    @AfterEach
    void stop() {
        sim.stop();
    }

    private Path config(String server, int extraKeys) throws Exception {
        StringBuilder keys = new StringBuilder("{\"id\":\"alice\",\"key\":\"k-alice\"},{\"id\":\"bob\",\"key\":\"k-bob\"}");
        for (int i = 0; i < extraKeys; i++) {
            keys.append(",{\"id\":\"key").append(i).append("\",\"key\":\"k-key").append(i).append("\"}");
        }
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"adminAuth":{"password":"usage-admin-pw"}%s},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[%s],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim","pricing":{"inputPer1M":0.15,"outputPer1M":0.6}},
                           {"id":"o4-mini","upstream":"sim"}]}
                """.formatted(server, keys, sim.baseUrl()));
        return config;
    }

    private static Map<String, String> env(Path config, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("CONFIG_PATH", config.toString(), "PORT", "0",
                "HOST", "127.0.0.1"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    private static JsonNode usage(ChildProxy p, String query) {
        Rig.Timed t = Rig.get(p.base() + "/admin/api/usage?" + query, "authorization", ADMIN);
        assertEquals(200, t.status(), t.body());
        return Rig.openJson(t.body());
    }

    /** Sends a chat request and returns its {prompt, completion, reasoning} tokens (zeros for a failure). */
    private static long[] chat(ChildProxy p, String key, String model) {
        Rig.Timed r = Rig.post(p.base() + "/v1/chat/completions", key, Rig.chat(model, false));
        if (r.status() != 200) {
            return new long[] {0, 0, 0};
        }
        JsonNode u = Rig.openJson(r.body()).path("usage");
        return new long[] {u.path("prompt_tokens").asLong(), u.path("completion_tokens").asLong(),
                u.at("/completion_tokens_details/reasoning_tokens").asLong()};
    }

    @Test
    void usageSurvivesARestart() throws Exception {
        Path config = config("", 0);
        long prompt = 0;
        long completion = 0;
        long miniPrompt = 0;
        long miniCompletion = 0;
        long reasoning = 0;
        try (ChildProxy a = ChildProxy.start(env(config), List.of())) {
            for (int i = 0; i < 4; i++) {
                long[] t = chat(a, "k-alice", "gpt-4o-mini");
                prompt += t[0];
                completion += t[1];
                miniPrompt += t[0];
                miniCompletion += t[1];
            }
            for (int i = 0; i < 2; i++) {
                long[] t = chat(a, "k-bob", "o4-mini");
                prompt += t[0];
                completion += t[1];
                reasoning += t[2];
            }
            Rig.Timed unknown = Rig.post(a.base() + "/v1/chat/completions", "k-alice", Rig.chat("nope", false));
            assertTrue(unknown.status() >= 400, unknown.body());
            assertTrue(prompt > 0 && completion > 0 && reasoning > 0, "the simulator reports usage");

            Rig.await("7 requests in the usage history", 30_000,
                    () -> usage(a, "window=1h&by=key").at("/total/requests").asLong() == 7);
            JsonNode byKey = usage(a, "window=1h&by=key");
            assertEquals("minute", byKey.get("step").asText());
            assertEquals(60_000, byKey.get("stepMillis").asLong());
            assertEquals("key", byKey.get("by").asText());
            assertEquals("USD", byKey.get("currency").asText());
            assertEquals("replica", byKey.get("scope").asText());
            assertEquals(3_600_000, byKey.get("to").asLong() - byKey.get("from").asLong());
            JsonNode total = byKey.get("total");
            assertEquals(1, total.get("errors").asLong());
            assertEquals(prompt, total.get("promptTokens").asLong(), "prompt tokens add up exactly");
            assertEquals(completion, total.get("completionTokens").asLong());
            assertEquals(reasoning, total.get("reasoningTokens").asLong(), "reasoning tokens of the o4-mini answers");
            assertTrue(total.at("/latencyMs/p50").isNumber() && total.at("/latencyMs/p99").isNumber(), total.toString());
            Map<String, JsonNode> groups = new HashMap<>();
            byKey.get("groups").forEach(g -> groups.put(g.get("name").asText(), g));
            assertEquals(5, groups.get("alice").get("requests").asLong());
            assertEquals(1, groups.get("alice").get("errors").asLong());
            assertEquals(1, groups.get("alice").get("errorsByCode").size(), groups.get("alice").toString());
            assertEquals(2, groups.get("bob").get("requests").asLong());
            assertFalse(byKey.toString().contains("k-alice"), "key ids only, never the secret");
            assertTrue(byKey.get("buckets").size() >= 1);
            long last = 0;
            for (JsonNode b : byKey.get("buckets")) {
                assertTrue(b.get("t").asLong() > last, "ascending");
                last = b.get("t").asLong();
            }

            JsonNode byModel = usage(a, "window=24h&by=model");
            Map<String, JsonNode> models = new HashMap<>();
            byModel.get("groups").forEach(g -> models.put(g.get("name").asText(), g));
            double cost = (miniPrompt * 0.15 + miniCompletion * 0.6) / 1e6;
            assertEquals(cost, models.get("gpt-4o-mini").get("cost").asDouble(), 1e-9, "cost from models[].pricing");
            assertTrue(models.get("o4-mini").get("cost").isNull(), "no pricing, no cost");

            assertEquals(401, Rig.get(a.base() + "/admin/api/usage").status(), "an admin session is required");
            Rig.Timed bad = Rig.get(a.base() + "/admin/api/usage?from=yesterday", "authorization", ADMIN);
            assertEquals(400, bad.status());
            assertEquals("from", Rig.openAiError(bad.body()).get("param").asText());
            Rig.Timed badBy = Rig.get(a.base() + "/admin/api/usage?by=colour", "authorization", ADMIN);
            assertEquals("by", Rig.openAiError(badBy.body()).get("param").asText());
        }
        assertTrue(Files.exists(dir.resolve("usage-history.json.gz")), "a snapshot written at shutdown");

        try (ChildProxy b = ChildProxy.start(env(config), List.of())) {
            JsonNode after = usage(b, "window=24h&by=key");
            assertEquals(7, after.at("/total/requests").asLong(), "the earlier traffic after a restart: " + after);
            assertEquals(prompt, after.at("/total/promptTokens").asLong());
            JsonNode all = usage(b, "window=all&by=model");
            assertEquals("day", all.get("step").asText());
            assertEquals(7, all.at("/total/requests").asLong());
            long now = System.currentTimeMillis();
            JsonNode custom = usage(b, "from=" + (now - 3_600_000) + "&to=" + java.time.Instant.ofEpochMilli(now + 60_000));
            assertEquals("minute", custom.get("step").asText());
            assertEquals(7, custom.at("/total/requests").asLong());
            JsonNode stats = Rig.openJson(Rig.get(b.base() + "/admin/api/stats?window=24h", "authorization", ADMIN).body());
            assertEquals(7, stats.at("/totals/requests").asLong(), stats.toString());
            assertEquals(5, stats.at("/byKey/alice/requests").asLong());
            JsonNode statsAll = Rig.openJson(Rig.get(b.base() + "/admin/api/stats?window=all", "authorization", ADMIN).body());
            assertEquals(7, statsAll.at("/totals/requests").asLong(), "all = the whole kept history");
            assertTrue(b.output().contains("usage history loaded from usage-history.json.gz (7 requests)"), b.output());
        }
    }

    @Test
    void aSigkillDuringASnapshotWriteLeavesTheLastCompleteSnapshot() throws Exception {
        // many keys make the snapshot large enough that a write takes a while; frequent writes make a kill land in one
        int keys = 300;
        Path config = config("", keys);
        Path snapshot = dir.resolve("usage-history.json.gz");
        Path temp = dir.resolve("usage-history.json.gz.tmp");
        Map<String, String> env = env(config, "USAGE_SNAPSHOT_INTERVAL_MS", "10");
        long known = 0;
        int landedMidWrite = 0;
        for (int round = 0; round < 3; round++) {
            ChildProxy p = ChildProxy.start(env, List.of());
            try {
                if (round > 0) {
                    JsonNode loaded = usage(p, "window=1h");
                    long n = loaded.at("/total/requests").asLong();
                    assertTrue(n >= known, "round " + round + ": the snapshot before the kill held " + known
                            + " requests, loaded " + n);
                    assertFalse(p.output().contains("unreadable"), p.output());
                    assertTrue(p.output().contains("usage history loaded from usage-history.json.gz (" + n
                            + " requests)"), p.output());
                    known = n;
                }
                for (int i = 0; i < keys; i++) {
                    chat(p, "k-key" + i, "gpt-4o-mini");
                }
                long expected = known + keys;
                Rig.await("the requests in the history", 30_000,
                        () -> usage(p, "window=1h").at("/total/requests").asLong() == expected);
                Rig.await("a complete snapshot holding them", 30_000,
                        () -> new SnapshotFile(snapshot).load().totalRequests() == expected);
                known = expected;
                // more traffic keeps snapshots coming; kill the moment a write is under way
                AtomicBoolean go = new AtomicBoolean(true);
                AtomicInteger sent = new AtomicInteger();
                Thread traffic = Thread.ofPlatform().start(() -> {
                    while (go.get() && p.alive()) {
                        try {
                            Rig.post(p.base() + "/v1/chat/completions", "k-alice", Rig.chat("gpt-4o-mini", false));
                            sent.incrementAndGet();
                        } catch (AssertionError e) {
                            return; // killed
                        }
                    }
                });
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (!Files.exists(temp) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                p.kill();
                go.set(false);
                traffic.join(30_000);
                if (Files.exists(temp)) {
                    landedMidWrite++;
                }
                assertTrue(Files.exists(snapshot), "the complete snapshot is still there");
            } finally {
                p.close();
            }
        }
        try (ChildProxy last = ChildProxy.start(env, List.of())) {
            long n = usage(last, "window=1h").at("/total/requests").asLong();
            assertTrue(n >= known, "loaded " + n + ", at least the " + known + " requests of the last complete snapshot");
            assertFalse(last.output().contains("unreadable"), last.output());
        }
        assertTrue(landedMidWrite > 0, "no kill landed during a write (temp file never left behind)");
    }

    @Test
    void twoReplicasOnOneRedisBothSeeTheFleetTotal() throws Exception {
        try (RedisProcess redis = RedisProcess.start("usage-pass")) {
            Path config = config(",\"sharedState\":{\"mode\":\"redis\",\"redisUrl\":\"env:REDIS_URL\"}", 0);
            Map<String, String> env = env(config, "REDIS_URL", redis.url(), "USAGE_FLUSH_INTERVAL_MS", "200");
            try (ChildProxy a = ChildProxy.start(env, List.of()); ChildProxy b = ChildProxy.start(env, List.of())) {
                long prompt = 0;
                for (int i = 0; i < 3; i++) {
                    prompt += chat(a, "k-alice", "gpt-4o-mini")[0];
                }
                for (int i = 0; i < 2; i++) {
                    prompt += chat(b, "k-bob", "gpt-4o-mini")[0];
                }
                for (ChildProxy p : List.of(a, b)) {
                    Rig.await("the fleet's 5 requests on each replica", 30_000,
                            () -> usage(p, "window=1h&by=key").at("/total/requests").asLong() == 5);
                    JsonNode u = usage(p, "window=1h&by=key");
                    assertEquals("fleet", u.get("scope").asText());
                    assertEquals(prompt, u.at("/total/promptTokens").asLong());
                    Map<String, Long> g = new HashMap<>();
                    u.get("groups").forEach(x -> g.put(x.get("name").asText(), x.get("requests").asLong()));
                    assertEquals(Map.of("alice", 3L, "bob", 2L), g);
                    assertEquals(5, usage(p, "window=7d").at("/total/requests").asLong(), "hours add up too");
                    assertEquals(5, usage(p, "window=all").at("/total/requests").asLong(), "days add up too");
                }
                assertFalse(Files.exists(dir.resolve("usage-history.json.gz")), "no snapshot file in Redis mode");
                assertFalse((a.output() + b.output()).contains("usage-pass"), "the Redis password stays out of logs");
            }
        }
    }
}
