package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every injected fault, observed on the wire. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FaultsIT extends RunningSim {
    private static final String CHAT = "/openai/v1/chat/completions";
    private static final String BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String STREAM = "{\"model\":\"gpt-4o\",\"stream\":true,\"messages\":[{\"role\":\"user\","
            + "\"content\":\"hi\"}]}";

    @BeforeEach
    void clear() {
        sim.clearRequests();
    }

    private static Map<String, String> headers(String... kv) {
        Map<String, String> m = new HashMap<>(SimHttp.keyHeader());
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void rateLimitCarriesAzureHeaders() throws Exception {
        HttpResponse<String> r = http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-fault", "429",
                "x-sim-retry-after-ms", "1500");
        assertEquals(429, r.statusCode());
        assertEquals("2", r.headers().firstValue("retry-after").orElseThrow());
        assertEquals("1500", r.headers().firstValue("retry-after-ms").orElseThrow());
        assertEquals("0", r.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals("0", r.headers().firstValue("x-ratelimit-remaining-tokens").orElseThrow());
        assertTrue(r.headers().firstValue("x-ratelimit-limit-requests").isPresent());
        assertTrue(r.headers().firstValue("x-ratelimit-limit-tokens").isPresent());
        assertTrue(r.headers().firstValue("apim-request-id").isPresent());
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
        assertEquals("sim-region", r.headers().firstValue("x-ms-region").orElseThrow());
        JsonNode e = SimHttp.json(r.body()).path("error");
        assertEquals("429", e.path("code").asText());
        assertTrue(e.path("message").asText().contains("Please retry after 2 seconds"));
        HttpResponse<String> def = http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-fault", "429");
        assertEquals("1000", def.headers().firstValue("retry-after-ms").orElseThrow());
    }

    @Test
    void serverErrorsAndContentFilter() throws Exception {
        HttpResponse<String> e500 = http.post(CHAT, STREAM, "api-key", SimHttp.KEY, "x-sim-fault", "500");
        assertEquals(500, e500.statusCode());
        assertTrue(e500.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
        assertEquals(503, http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-fault", "503").statusCode());
        HttpResponse<String> cf = http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-fault", "content-filter");
        assertEquals(400, cf.statusCode());
        JsonNode e = SimHttp.json(cf.body()).path("error");
        assertEquals("content_filter", e.path("code").asText());
        assertEquals("ResponsibleAIPolicyViolation", e.path("innererror").path("code").asText());
        assertTrue(e.path("innererror").path("content_filter_result").path("hate").path("filtered").asBoolean());
        assertEquals(400, http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-fault", "bogus").statusCode());
        HttpResponse<String> badPace = http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-tokens-per-second", "x");
        assertEquals(400, badPace.statusCode());
        assertTrue(SimHttp.json(badPace.body()).path("error").path("message").asText()
                .contains("x-sim-tokens-per-second"));
    }

    @Test
    void slowHeadersDelaysTheStatusLine() throws Exception {
        RawHttp.Exchange x = RawHttp.post(sim.port(), CHAT, headers("x-sim-fault", "slow-headers",
                "x-sim-delay-ms", "400"), BODY);
        assertEquals(200, x.status());
        assertTrue(x.headersAtNanos() >= 400_000_000L, "headers after " + x.headersAtNanos() / 1e6 + " ms");
        assertTrue(x.complete());
    }

    @Test
    void stallBeforeFirstEventSendsHeadersFirst() throws Exception {
        RawHttp.Exchange x = RawHttp.post(sim.port(), CHAT, headers("x-sim-fault", "stall-before-first-event",
                "x-sim-delay-ms", "600"), STREAM);
        assertEquals(200, x.status());
        assertTrue(x.headersAtNanos() < 400_000_000L, "headers after " + x.headersAtNanos() / 1e6 + " ms");
        int firstEvent = -1;
        for (int i = 0; i < x.chunks().size() && firstEvent < 0; i++) {
            if (new String(x.chunks().get(i), StandardCharsets.UTF_8).contains("data:")) {
                firstEvent = i;
            }
        }
        long firstEventAt = x.chunkAtNanos().get(firstEvent);
        assertTrue(firstEventAt >= 600_000_000L, "first event after " + firstEventAt / 1e6 + " ms");
        assertTrue(new String(x.chunks().getFirst(), StandardCharsets.UTF_8).isBlank(), "nothing but a blank line "
                + "before the stall");
        assertTrue(x.complete());
        assertTrue(x.text().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void stallMidStreamPausesAfterThreeEvents() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.post(CHAT, STREAM, "api-key", SimHttp.KEY, "x-sim-fault", "stall-mid-stream",
                "x-sim-delay-ms", "500");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.statusCode());
        assertTrue(ms >= 500, "took " + ms + " ms");
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void resetMidStreamAbortsWithoutTerminator() throws Exception {
        RawHttp.Exchange x = RawHttp.post(sim.port(), CHAT, headers("x-sim-fault", "reset-mid-stream"), STREAM);
        assertEquals(200, x.status());
        assertFalse(x.complete(), "no terminating chunk");
        String text = x.text();
        assertFalse(text.contains("[DONE]"));
        assertEquals(SseWriter.EVENTS_BEFORE_MID_STREAM_FAULT, SimHttp.sse(text).size(), text);
    }

    @Test
    void splitUtf8CutsACharacterAcrossChunks() throws Exception {
        RawHttp.Exchange x = RawHttp.post(sim.port(), CHAT, headers("x-sim-fault", "split-utf8"), STREAM);
        assertEquals(200, x.status());
        assertTrue(x.complete());
        String text = x.text();
        assertTrue(text.contains("你好世界"), text);
        assertTrue(text.contains("😀"), text);
        boolean split = false;
        for (byte[] chunk : x.chunks()) {
            byte last = chunk[chunk.length - 1];
            if ((last & 0xC0) == 0xC0) {
                split = true;
            }
        }
        assertTrue(split, "some chunk ends with the lead byte of a multi-byte character");
        JsonNode plain = SimHttp.json(http.post(CHAT, BODY, "api-key", SimHttp.KEY, "x-sim-fault", "split-utf8")
                .body());
        assertTrue(plain.path("choices").get(0).path("message").path("content").asText().startsWith("你好世界 😀"));
    }

    @Test
    void disconnectBeforeHeadersClosesTheConnection() throws Exception {
        RawHttp.Exchange x = RawHttp.post(sim.port(), CHAT, headers("x-sim-fault", "disconnect-before-headers"),
                BODY);
        assertEquals(-1, x.status());
    }

    @Test
    void faultCountFailsOnlyTheFirstRequests() throws Exception {
        String[] h = {"api-key", SimHttp.KEY, "x-sim-fault", "503", "x-sim-fault-count", "2", "x-sim-fault-key",
            "retry-test"};
        assertEquals(503, http.post(CHAT, BODY, h).statusCode());
        assertEquals(503, http.post(CHAT, BODY, h).statusCode());
        assertEquals(200, http.post(CHAT, BODY, h).statusCode());
        assertEquals(200, http.post(CHAT, BODY, h).statusCode());
        h[7] = "another-key";
        assertEquals(503, http.post(CHAT, BODY, h).statusCode());
    }

    @Test
    void deploymentDefaultFaultAndRuntimeConfig() throws Exception {
        HttpResponse<String> set = http.post("/_sim/config", "{\"deployments\":{\"flaky\":{\"fault\":\"500\"}}}");
        assertEquals(200, set.statusCode(), set.body());
        String flaky = BODY.replace("gpt-4o", "flaky");
        assertEquals(500, http.post(CHAT, flaky, "api-key", SimHttp.KEY).statusCode());
        assertEquals(200, http.post(CHAT, flaky, "api-key", SimHttp.KEY, "x-sim-fault", "none").statusCode());
        assertEquals(200, http.post(CHAT, BODY, "api-key", SimHttp.KEY).statusCode(), "others stay permissive");
        assertEquals(400, http.post("/_sim/config", "{\"nope\":1}").statusCode());
        assertEquals(200, http.post("/_sim/config", "{\"deployments\":{\"flaky\":{\"fault\":\"none\"}}}")
                .statusCode());
        assertEquals(200, http.post(CHAT, flaky, "api-key", SimHttp.KEY).statusCode());
    }

    @Test
    void deploymentFaultCountAndTokensWorkWithoutHeaders() throws Exception {
        assertEquals(200, http.post("/_sim/config", "{\"deployments\":{\"twice\":{\"fault\":\"503\","
                + "\"faultCount\":2,\"tokens\":12}}}").statusCode());
        String twice = BODY.replace("gpt-4o", "twice");
        assertEquals(503, http.post(CHAT, twice, "api-key", SimHttp.KEY).statusCode());
        assertEquals(503, http.post(CHAT, twice, "api-key", SimHttp.KEY).statusCode());
        HttpResponse<String> ok = http.post(CHAT, twice, "api-key", SimHttp.KEY);
        assertEquals(200, ok.statusCode());
        assertEquals(12, SimHttp.json(ok.body()).path("usage").path("completion_tokens").asInt());
        assertEquals(200, http.post("/_sim/config", "{\"deployments\":{\"twice\":{\"faultCount\":1}}}")
                .statusCode());
        assertEquals(503, http.post(CHAT, twice, "api-key", SimHttp.KEY).statusCode(), "a new plan counts afresh");
        assertEquals(200, http.post(CHAT, twice, "api-key", SimHttp.KEY).statusCode());
    }

    @Test
    void latencyHeadersAreHonoured() throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> r = http.post(CHAT, STREAM, "api-key", SimHttp.KEY, "x-sim-ttft-ms", "300",
                "x-sim-tokens", "10", "x-sim-tokens-per-second", "50");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, r.statusCode());
        assertTrue(ms >= 300 + 9 * 20, "took " + ms + " ms");
        List<SimHttp.Sse> ev = SimHttp.sse(r.body());
        assertEquals(10 + 4, ev.size());
    }

    @Test
    void clientThatGoesAwayIsCounted() throws Exception {
        byte[] body = STREAM.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", sim.port())) {
            s.setSoTimeout(10_000);
            String req = "POST " + CHAT + " HTTP/1.1\r\nHost: x\r\napi-key: " + SimHttp.KEY
                    + "\r\nx-sim-tokens: 500\r\nx-sim-tokens-per-second: 100\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256];
            assertTrue(in.read(buf) > 0);
        }
        for (int i = 0; i < 100 && sim.stats().clientDisconnects() == 0; i++) {
            Thread.sleep(50);
        }
        SimStats stats = sim.stats();
        assertEquals(1, stats.clientDisconnects(), stats.toString());
        assertEquals(1, stats.streamsStarted());
        assertEquals(0, stats.streamsCompleted());
        JsonNode viaHttp = SimHttp.json(http.get("/_sim/stats").body());
        assertEquals(1, viaHttp.path("clientDisconnects").asInt());
    }
}
