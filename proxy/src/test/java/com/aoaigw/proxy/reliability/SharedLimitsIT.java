package com.aoaigw.proxy.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.aoaigw.proxy.state.RedisProcess;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two proxy processes on one config file and one real redis-server (with a password): the limits hold across
 * both, a Redis crash leaves both serving (each counting alone), and shared counting comes back with Redis.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SharedLimitsIT {
    private static final String BODY = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @Test
    void twoReplicasShareTheirLimitsThroughRedisAndSurviveItsOutage() throws Exception {
        FoundrySim sim = FoundrySim.start(SimSettings.defaults());
        Path dir = Files.createTempDirectory("shared-limits-it");
        try (RedisProcess redis = RedisProcess.start("replica-pass")) {
            Path config = dir.resolve("config.json");
            Files.writeString(config, """
                    {"server":{"sharedState":{"mode":"redis","redisUrl":"env:REDIS_URL","onRedisDown":"local"}},
                     "auth":{"mode":"apiKey","apiKey":"sim-key"},
                     "apiKeys":[{"id":"rpm60","key":"k-rpm60","limits":{"rpm":60}},
                                {"id":"tpm","key":"k-tpm","limits":{"tpm":3000}},
                                {"id":"outage","key":"k-outage","limits":{"rpm":1000}},
                                {"id":"back","key":"k-back","limits":{"rpm":10}}],
                     "upstreams":[{"name":"sim","baseUrl":"%s"}],
                     "models":[{"id":"gpt-4o-mini","upstream":"sim"}]}
                    """.formatted(sim.baseUrl()));
            Map<String, String> env = Map.of("CONFIG_PATH", config.toString(), "PORT", "0", "HOST", "127.0.0.1",
                    "REDIS_URL", redis.url(), "UPSTREAM_FORWARD_HEADERS", "x-sim-*");
            try (ChildProxy a = ChildProxy.start(env, List.of()); ChildProxy b = ChildProxy.start(env, List.of())) {
                List<ChildProxy> replicas = List.of(a, b);

                // rpm 60, 100 requests alternating between the replicas: exactly 60 admitted
                int ok = 0;
                int limited = 0;
                for (int i = 0; i < 100; i++) {
                    Rig.Timed r = Rig.post(replicas.get(i % 2).base() + "/v1/chat/completions", "k-rpm60", BODY);
                    if (r.status() == 200) {
                        ok++;
                    } else {
                        assertEquals(429, r.status(), r.body());
                        assertEquals("rate_limit_exceeded", Rig.openAiError(r.body()).path("code").asText());
                        limited++;
                    }
                }
                assertEquals(60, ok, "admitted of 100 with rpm 60 across two replicas");
                assertEquals(40, limited);

                // tpm 3000: the tokens both replicas charged stay within one request's tokens of the limit
                long charged = 0;
                long largest = 0;
                int refusedInARow = 0;
                for (int i = 0; i < 200 && refusedInARow < 2; i++) {
                    Rig.Timed r = Rig.post(replicas.get(i % 2).base() + "/v1/chat/completions", "k-tpm", BODY,
                            "x-sim-tokens", "150");
                    if (r.status() == 200) {
                        long t = Rig.openJson(r.body()).at("/usage/total_tokens").asLong();
                        assertTrue(t > 150, r.body());
                        charged += t;
                        largest = Math.max(largest, t);
                        refusedInARow = 0;
                    } else {
                        assertEquals(429, r.status(), r.body());
                        assertEquals("tokens", Rig.openAiError(r.body()).path("type").asText());
                        refusedInARow++;
                    }
                }
                assertTrue(charged <= 3000 + largest && charged >= 3000 - largest,
                        "charged " + charged + " tokens against tpm 3000 (one request: " + largest + ")");

                // Redis crashes: both replicas keep serving, each counting alone, and say so
                redis.kill();
                for (int i = 0; i < 10; i++) {
                    Rig.Timed r = Rig.post(replicas.get(i % 2).base() + "/v1/chat/completions", "k-outage", BODY);
                    assertEquals(200, r.status(), "replica " + (i % 2) + " during the outage: " + r.body());
                }
                for (ChildProxy p : replicas) {
                    assertEquals(0.0, sharedStateUp(p), "aoaigw_shared_state_up during the outage");
                }
                // Redis is back: both return to shared counting (rpm 10 across both: exactly 10 of 20)
                redis.startProcess();
                for (ChildProxy p : replicas) {
                    Rig.await("the replica to use Redis again", 30_000, () -> sharedStateUp(p) == 1.0);
                }
                int back = 0;
                for (int i = 0; i < 20; i++) {
                    if (Rig.post(replicas.get(i % 2).base() + "/v1/chat/completions", "k-back", BODY).status() == 200) {
                        back++;
                    }
                }
                assertEquals(10, back, "admitted of 20 with rpm 10 across two replicas after Redis came back");
                String out = a.output() + b.output();
                assertTrue(out.contains("Redis unreachable"), "the outage is logged");
                assertTrue(!out.contains("replica-pass"), "the Redis password never reaches the log");
            }
        } finally {
            sim.stop();
        }
    }

    private static double sharedStateUp(ChildProxy p) {
        String metrics = Rig.get(p.base() + "/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("aoaigw_shared_state_up")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1.0);
    }
}
