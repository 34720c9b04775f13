package com.aoaigw.proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.aoaigw.proxy.upstream.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class StatsTest {
    private final AtomicLong now = new AtomicLong(1_000 * 60_000L);
    private final Stats stats = new Stats(now::get);

    private static ExchangeLog log(String model, String key, String code, long ttft, long prompt) {
        ExchangeLog e = new ExchangeLog("r", 0, "POST", "/v1/chat/completions");
        e.model(model);
        e.keyId(key);
        e.upstream("u");
        e.errorCode(code);
        e.ttftMs(ttft);
        e.usage(new Usage(prompt, 2, 1));
        e.status(code == null ? 200 : 429);
        return e;
    }

    @Test
    void windowsPercentilesAndErrors() {
        for (int i = 0; i < 98; i++) {
            stats.record(log("m1", "k1", null, 40, 10), 90);
        }
        stats.record(log("m1", "k1", "upstream_429", -1, 0), 4000);
        stats.record(log("m1", "k2", "upstream_429", -1, 0), 4000);
        List<Stats.StatsRow> rows = stats.snapshot(Stats.Dimension.MODEL, Stats.Window.LAST_1_MIN);
        assertEquals(1, rows.size());
        Stats.StatsRow m = rows.getFirst();
        assertEquals(100, m.requests());
        assertEquals(2, m.errors());
        assertEquals(2L, m.errorsByCode().get("upstream_429"));
        assertEquals(980, m.promptTokens());
        assertEquals(200, m.completionTokens());
        assertEquals(100, m.cachedTokens());
        assertEquals(100, m.latencyMs().p50());
        assertEquals(5000, m.latencyMs().p99());
        assertEquals(98, m.ttftMs().count());
        assertEquals(50, m.ttftMs().p90());
        assertEquals(2, stats.snapshot(Stats.Dimension.KEY, Stats.Window.SINCE_START).size());

        now.addAndGet(2 * 60_000L);
        stats.record(log("m1", "k1", null, 40, 10), 90);
        assertEquals(1, stats.snapshot(Stats.Dimension.MODEL, Stats.Window.LAST_1_MIN).getFirst().requests());
        assertEquals(101, stats.snapshot(Stats.Dimension.MODEL, Stats.Window.LAST_5_MIN).getFirst().requests());
        now.addAndGet(70 * 60_000L);
        assertEquals(0, stats.snapshot(Stats.Dimension.MODEL, Stats.Window.LAST_1_HOUR).getFirst().requests());
        assertEquals(101, stats.snapshot(Stats.Dimension.MODEL, Stats.Window.SINCE_START).getFirst().requests());
    }

    @Test
    void accessLogLineIsOneJsonObject() throws Exception {
        ExchangeLog e = log("m\"1", "k1", null, 12, 3);
        e.stream(true);
        e.attempts(2);
        String line = new AccessLog(new ObjectMapper().getFactory()).line(e, 34);
        assertTrue(!line.contains("\n"));
        JsonNode n = new ObjectMapper().readTree(line);
        for (String f : List.of("ts", "requestId", "keyId", "model", "deployment", "upstream", "route", "status",
                "latencyMs", "ttftMs", "promptTokens", "completionTokens", "cachedTokens", "errorCode", "stream",
                "attempts")) {
            assertTrue(n.has(f), f);
        }
        assertEquals("m\"1", n.get("model").asText());
        assertEquals(34, n.get("latencyMs").asInt());
        assertEquals(2, n.get("attempts").asInt());
        assertTrue(n.get("stream").asBoolean());
    }
}
