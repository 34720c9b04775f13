package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Chat Completions, embeddings, images, models, auth and the recorder, over real sockets. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChatCompletionsIT extends RunningSim {
    private static final String CHAT = "/openai/v1/chat/completions";
    private static final String HELLO = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":"
            + "\"Say hello to the team\"}]}";

    @BeforeEach
    void clear() {
        sim.clearRequests();
    }

    @Test
    void nonStreamHasAzureShape() throws Exception {
        HttpResponse<String> r = http.post(CHAT, HELLO, "api-key", SimHttp.KEY, "x-request-id", "req-123");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("application/json"));
        assertTrue(r.headers().firstValue("content-length").isPresent());
        assertEquals("req-123", r.headers().firstValue("x-request-id").orElseThrow());
        assertTrue(r.headers().firstValue("apim-request-id").isPresent());
        assertEquals("sim-region", r.headers().firstValue("x-ms-region").orElseThrow());
        assertEquals("59", r.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertTrue(r.headers().firstValue("x-ratelimit-remaining-tokens").isPresent());
        JsonNode j = SimHttp.json(r.body());
        assertEquals("chat.completion", j.path("object").asText());
        assertEquals("gpt-4o-mini", j.path("model").asText());
        assertTrue(j.path("id").asText().startsWith("chatcmpl-"));
        assertEquals(0, j.path("prompt_filter_results").get(0).path("prompt_index").asInt());
        JsonNode choice = j.path("choices").get(0);
        assertEquals("stop", choice.path("finish_reason").asText());
        assertEquals("Hello from gpt-4o-mini: you said 5 words.", choice.path("message").path("content").asText());
        assertFalse(choice.path("content_filter_results").path("hate").path("filtered").asBoolean(true));
        JsonNode u = j.path("usage");
        assertEquals(7, u.path("completion_tokens").asInt());
        assertEquals(6, u.path("prompt_tokens").asInt());
        assertEquals(13, u.path("total_tokens").asInt());
        assertEquals(0, u.path("prompt_tokens_details").path("cached_tokens").asInt(-1));
        assertEquals(0, u.path("completion_tokens_details").path("reasoning_tokens").asInt(-1));
    }

    @Test
    void streamFollowsAzureOrderWithUsageOnlyWhenAsked() throws Exception {
        String body = HELLO.replace("{\"model\"", "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"model\"");
        HttpResponse<String> r = http.post(CHAT, body, "Authorization", "Bearer " + SimHttp.KEY);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        List<SimHttp.Sse> events = SimHttp.sse(r.body());
        assertEquals("[DONE]", events.getLast().data());
        JsonNode first = events.getFirst().json();
        assertEquals(0, first.path("choices").size());
        assertEquals("", first.path("id").asText());
        assertEquals(0, first.path("created").asInt());
        assertTrue(first.has("prompt_filter_results"));
        JsonNode role = events.get(1).json();
        assertEquals("assistant", role.path("choices").get(0).path("delta").path("role").asText());
        StringBuilder text = new StringBuilder();
        int deltas = 0;
        for (int i = 2; i < events.size() - 3; i++) {
            JsonNode ch = events.get(i).json();
            assertTrue(ch.path("usage").isNull());
            text.append(ch.path("choices").get(0).path("delta").path("content").asText());
            deltas++;
        }
        JsonNode finish = events.get(events.size() - 3).json();
        assertEquals("stop", finish.path("choices").get(0).path("finish_reason").asText());
        assertTrue(finish.path("usage").isNull());
        JsonNode usage = events.get(events.size() - 2).json();
        assertEquals(0, usage.path("choices").size());
        assertEquals(deltas, usage.path("usage").path("completion_tokens").asInt());

        JsonNode nonStream = SimHttp.json(http.post(CHAT, HELLO, "api-key", SimHttp.KEY).body());
        assertEquals(nonStream.path("choices").get(0).path("message").path("content").asText(), text.toString());
        assertEquals(nonStream.path("usage"), usage.path("usage"));

        HttpResponse<String> noUsage = http.post(CHAT, HELLO.replace("{\"model\"", "{\"stream\":true,\"model\""),
                "api-key", SimHttp.KEY);
        List<SimHttp.Sse> ev2 = SimHttp.sse(noUsage.body());
        assertEquals("[DONE]", ev2.getLast().data());
        assertEquals(events.size() - 1, ev2.size());
        for (SimHttp.Sse e : ev2.subList(0, ev2.size() - 1)) {
            assertTrue(e.json().path("usage").isNull(), e.data());
        }
    }

    @Test
    void tokensHeaderAndMaxTokensShapeTheAnswer() throws Exception {
        JsonNode j = SimHttp.json(http.post(CHAT, HELLO, "api-key", SimHttp.KEY, "x-sim-tokens", "20").body());
        assertEquals(20, j.path("usage").path("completion_tokens").asInt());
        assertEquals("stop", j.path("choices").get(0).path("finish_reason").asText());

        String limited = HELLO.replace("{\"model\"", "{\"max_completion_tokens\":3,\"model\"");
        JsonNode l = SimHttp.json(http.post(CHAT, limited, "api-key", SimHttp.KEY).body());
        assertEquals("length", l.path("choices").get(0).path("finish_reason").asText());
        assertEquals("Hello from gpt-4o-mini:", l.path("choices").get(0).path("message").path("content").asText());
        assertEquals(3, l.path("usage").path("completion_tokens").asInt());

        String limitedStream = HELLO.replace("{\"model\"", "{\"max_tokens\":3,\"stream\":true,\"model\"");
        List<SimHttp.Sse> ev = SimHttp.sse(http.post(CHAT, limitedStream, "api-key", SimHttp.KEY).body());
        assertEquals("length", ev.get(ev.size() - 2).json().path("choices").get(0).path("finish_reason").asText());
    }

    @Test
    void reasoningDeploymentReportsReasoningTokens() throws Exception {
        JsonNode j = SimHttp.json(http.post(CHAT, HELLO.replace("gpt-4o-mini", "gpt-5-mini"), "api-key",
                SimHttp.KEY).body());
        JsonNode u = j.path("usage");
        assertEquals(CompletionPlanner.REASONING_TOKENS, u.path("completion_tokens_details").path("reasoning_tokens")
                .asInt());
        assertEquals(7 + CompletionPlanner.REASONING_TOKENS, u.path("completion_tokens").asInt());
    }

    @Test
    void toolCallsStreamAndNonStream() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the weather in "
                + "Oslo?\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"parameters\":{\"type\":\"object\"}}}]}";
        JsonNode j = SimHttp.json(http.post(CHAT, body, "api-key", SimHttp.KEY).body());
        JsonNode choice = j.path("choices").get(0);
        assertEquals("tool_calls", choice.path("finish_reason").asText());
        JsonNode call = choice.path("message").path("tool_calls").get(0);
        assertTrue(call.path("id").asText().startsWith("call_"));
        assertEquals("get_weather", call.path("function").path("name").asText());
        assertEquals("Oslo", SimHttp.json(call.path("function").path("arguments").asText()).path("location")
                .asText());

        List<SimHttp.Sse> ev = SimHttp.sse(http.post(CHAT, body.replace("{\"model\"", "{\"stream\":true,"
                + "\"model\""), "api-key", SimHttp.KEY).body());
        JsonNode roleCall = ev.get(1).json().path("choices").get(0).path("delta").path("tool_calls").get(0);
        assertEquals(call.path("id").asText(), roleCall.path("id").asText());
        assertEquals("get_weather", roleCall.path("function").path("name").asText());
        StringBuilder args = new StringBuilder();
        for (SimHttp.Sse e : ev.subList(2, ev.size() - 2)) {
            JsonNode tc = e.json().path("choices").get(0).path("delta").path("tool_calls").get(0);
            assertEquals(0, tc.path("index").asInt());
            args.append(tc.path("function").path("arguments").asText());
        }
        assertEquals(call.path("function").path("arguments").asText(), args.toString());
        assertEquals("tool_calls", ev.get(ev.size() - 2).json().path("choices").get(0).path("finish_reason")
                .asText());

        String followUp = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\","
                + "\"tool_call_id\":\"call_1\",\"content\":\"sunny 21C\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\"}}]}";
        JsonNode answer = SimHttp.json(http.post(CHAT, followUp, "api-key", SimHttp.KEY).body());
        assertEquals("stop", answer.path("choices").get(0).path("finish_reason").asText());
        assertTrue(answer.path("choices").get(0).path("message").path("content").asText().contains("sunny 21C"));

        String forced = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}},{\"type\":\"function\","
                + "\"function\":{\"name\":\"b\"}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"b\"}}}";
        JsonNode f = SimHttp.json(http.post(CHAT, forced, "api-key", SimHttp.KEY).body());
        assertEquals("b", f.path("choices").get(0).path("message").path("tool_calls").get(0).path("function")
                .path("name").asText());
    }

    @Test
    void classicPathsNeedApiVersion() throws Exception {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> ok = http.post("/openai/deployments/my-deploy/chat/completions?api-version=2024-10-21",
                body, "api-key", SimHttp.KEY);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("my-deploy", SimHttp.json(ok.body()).path("model").asText());
        HttpResponse<String> missing = http.post("/openai/deployments/my-deploy/chat/completions", body,
                "api-key", SimHttp.KEY);
        assertEquals(400, missing.statusCode());
        assertEquals("MissingApiVersionParameter", SimHttp.json(missing.body()).path("error").path("code").asText());

        HttpResponse<String> emb = http.post("/openai/deployments/emb/embeddings?api-version=2024-10-21",
                "{\"input\":\"abc\"}", "api-key", SimHttp.KEY);
        assertEquals(200, emb.statusCode(), emb.body());
        HttpResponse<String> img = http.post("/openai/deployments/img/images/generations?api-version=2024-10-21",
                "{\"prompt\":\"a cat\"}", "api-key", SimHttp.KEY);
        assertEquals(200, img.statusCode(), img.body());
        HttpResponse<String> resp = http.post("/openai/responses?api-version=2025-04-01-preview",
                "{\"model\":\"gpt-4o\",\"input\":\"hi\"}", "api-key", SimHttp.KEY);
        assertEquals(200, resp.statusCode(), resp.body());
        assertEquals(400, http.post("/openai/responses", "{\"model\":\"gpt-4o\",\"input\":\"hi\"}", "api-key",
                SimHttp.KEY).statusCode());
        HttpResponse<String> unknown = http.post("/openai/v1/nothing", "{}", "api-key", SimHttp.KEY);
        assertEquals(404, unknown.statusCode());
    }

    @Test
    void authFailuresAre401() throws Exception {
        HttpResponse<String> none = http.post(CHAT, HELLO);
        assertEquals(401, none.statusCode());
        JsonNode e = SimHttp.json(none.body()).path("error");
        assertEquals("401", e.path("code").asText());
        assertTrue(e.path("message").asText().startsWith("Access denied due to invalid subscription key"));
        assertEquals(401, http.post(CHAT, HELLO, "api-key", "wrong").statusCode());
        assertEquals(401, http.post(CHAT, HELLO, "Authorization", "Bearer wrong").statusCode());
        assertEquals(401, http.get("/openai/v1/models").statusCode());
        assertTrue(none.headers().firstValue("apim-request-id").isPresent());
    }

    @Test
    void strictDeploymentsAnswerDeploymentNotFound() throws Exception {
        try (FoundrySim strict = FoundrySim.start(SimSettings.builder()
                .deployment("known", DeploymentSettings.defaults()).build())) {
            SimHttp h = new SimHttp(strict);
            assertEquals(200, h.post(CHAT, HELLO.replace("gpt-4o-mini", "known"), "api-key", SimHttp.KEY)
                    .statusCode());
            HttpResponse<String> r = h.post(CHAT, HELLO, "api-key", SimHttp.KEY);
            assertEquals(404, r.statusCode());
            assertEquals("DeploymentNotFound", SimHttp.json(r.body()).path("error").path("code").asText());
            JsonNode models = SimHttp.json(h.get("/openai/v1/models", "api-key", SimHttp.KEY).body());
            assertEquals(1, models.path("data").size());
            assertEquals("known", models.path("data").get(0).path("id").asText());
        }
    }

    @Test
    void embeddingsAreDeterministicAndHonourDimensions() throws Exception {
        JsonNode a = SimHttp.json(http.post("/openai/v1/embeddings", "{\"model\":\"emb\",\"input\":[\"one two\","
                + "\"three\"]}", "api-key", SimHttp.KEY).body());
        assertEquals(2, a.path("data").size());
        assertEquals(EmbeddingsRenderer.DEFAULT_DIMENSIONS, a.path("data").get(0).path("embedding").size());
        assertEquals(3, a.path("usage").path("prompt_tokens").asInt());
        JsonNode b = SimHttp.json(http.post("/openai/v1/embeddings", "{\"model\":\"emb\",\"input\":\"one two\","
                + "\"dimensions\":3}", "api-key", SimHttp.KEY).body());
        assertEquals(3, b.path("data").get(0).path("embedding").size());
        JsonNode c = SimHttp.json(http.post("/openai/v1/embeddings", "{\"model\":\"emb\",\"input\":\"one two\"}",
                "api-key", SimHttp.KEY).body());
        assertEquals(a.path("data").get(0).path("embedding"), c.path("data").get(0).path("embedding"));
        JsonNode d = SimHttp.json(http.post("/openai/v1/embeddings", "{\"model\":\"emb\",\"input\":\"one two\","
                + "\"encoding_format\":\"base64\"}", "api-key", SimHttp.KEY).body());
        byte[] raw = Base64.getDecoder().decode(d.path("data").get(0).path("embedding").asText());
        assertEquals(EmbeddingsRenderer.DEFAULT_DIMENSIONS * 4, raw.length);
        float first = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat();
        assertEquals(c.path("data").get(0).path("embedding").get(0).floatValue(), first, 1e-6);
    }

    @Test
    void imagesAndModels() throws Exception {
        JsonNode img = SimHttp.json(http.post("/openai/v1/images/generations?api-version=preview",
                "{\"model\":\"gpt-image-1\",\"prompt\":\"a cat\",\"n\":2}", "api-key", SimHttp.KEY).body());
        assertEquals(2, img.path("data").size());
        byte[] png = Base64.getDecoder().decode(img.path("data").get(0).path("b64_json").asText());
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        JsonNode url = SimHttp.json(http.post("/openai/v1/images/generations", "{\"model\":\"gpt-image-1\","
                + "\"prompt\":\"a cat\",\"response_format\":\"url\"}", "api-key", SimHttp.KEY).body());
        String u = url.path("data").get(0).path("url").asText();
        assertTrue(u.startsWith(sim.baseUrl()), u);
        assertEquals(200, http.get(u.substring(sim.baseUrl().length())).statusCode());

        JsonNode models = SimHttp.json(http.get("/openai/v1/models", "api-key", SimHttp.KEY).body());
        assertEquals("list", models.path("object").asText());
        List<String> ids = new ArrayList<>();
        models.path("data").forEach(m -> ids.add(m.path("id").asText()));
        assertTrue(ids.contains("gpt-4o-mini"), ids.toString());
    }

    @Test
    void recorderKeepsRequestsUntilCleared() throws Exception {
        http.post(CHAT + "?api-version=v1", HELLO, "api-key", SimHttp.KEY, "X-Custom", "yes");
        List<RecordedRequest> recorded = sim.requests();
        assertEquals(1, recorded.size());
        RecordedRequest r = recorded.getFirst();
        assertEquals("POST", r.method());
        assertEquals(CHAT, r.path());
        assertEquals("api-version=v1", r.query());
        assertEquals("yes", r.header("x-custom"));
        assertEquals(HELLO, r.body());

        JsonNode viaHttp = SimHttp.json(http.get("/_sim/requests").body());
        assertEquals(1, viaHttp.size());
        assertEquals(CHAT, viaHttp.get(0).path("path").asText());
        assertEquals(SimHttp.KEY, viaHttp.get(0).path("headers").path("api-key").get(0).asText());
        JsonNode stats = SimHttp.json(http.get("/_sim/stats").body());
        assertEquals(1, stats.path("requests").asInt());
        assertNotNull(stats.get("clientDisconnects"));
        assertNotNull(stats.get("streamsCompleted"));
        assertNotNull(stats.get("tokenRequests"));
        assertEquals(204, http.delete("/_sim/requests").statusCode());
        assertEquals(0, SimHttp.json(http.get("/_sim/requests").body()).size());
    }

    @Test
    void keepAliveSurvivesJsonAndStreamAnswers() throws Exception {
        String stream = HELLO.replace("{\"model\"", "{\"stream\":true,\"model\"");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", sim.port())) {
            s.setSoTimeout(10_000);
            RawHttp.Exchange a = RawHttp.exchange(s, sim.port(), CHAT, SimHttp.keyHeader(), HELLO, true);
            assertEquals(200, a.status());
            assertTrue(a.headers().containsKey("content-length"));
            RawHttp.Exchange b = RawHttp.exchange(s, sim.port(), CHAT, SimHttp.keyHeader(), stream, true);
            assertEquals("chunked", b.headers().get("transfer-encoding"));
            assertTrue(b.complete());
            RawHttp.Exchange c = RawHttp.exchange(s, sim.port(), CHAT, SimHttp.keyHeader(), HELLO, true);
            assertEquals(200, c.status());
            assertTrue(c.complete());
        }
        assertEquals(3, sim.stats().requests());
        assertEquals(1, sim.stats().streamsCompleted());
    }

    @Test
    void zeroLatencyModeReusesRenderedAnswers() throws Exception {
        try (FoundrySim fast = FoundrySim.start(SimSettings.builder().zeroLatency(true).build())) {
            SimHttp h = new SimHttp(fast);
            String a = h.post(CHAT, HELLO, "api-key", SimHttp.KEY).body();
            String b = h.post(CHAT, HELLO, "api-key", SimHttp.KEY).body();
            assertEquals(a, b);
            String s = HELLO.replace("{\"model\"", "{\"stream\":true,\"model\"");
            assertEquals(h.post(CHAT, s, "api-key", SimHttp.KEY).body(), h.post(CHAT, s, "api-key", SimHttp.KEY)
                    .body());
            assertEquals(4, fast.stats().requests());

            // A benchmark paces one stream deployment at run time; benchmark mode keeps that pace.
            assertEquals(200, h.post("/_sim/config", "{\"deployments\":{\"paced\":{\"ttftMs\":0,"
                    + "\"tokensPerSecond\":50}},\"strictDeployments\":false}").statusCode());
            RawHttp.Exchange x = RawHttp.post(fast.port(), CHAT, SimHttp.keyHeader(),
                    s.replace("gpt-4o-mini", "paced"));
            long span = x.chunkAtNanos().getLast() - x.chunkAtNanos().getFirst();
            assertTrue(span >= 5 * 20_000_000L, "7 deltas 20 ms apart, took " + span / 1e6 + " ms");
            assertEquals(200, h.post(CHAT, HELLO, "api-key", SimHttp.KEY).statusCode(), "others stay permissive");
        }
    }
}
