package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Responses API, streamed and not, with reasoning items and function calls. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ResponsesIT extends RunningSim {
    private static final String PATH = "/openai/v1/responses";

    private List<String> types(List<SimHttp.Sse> events) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            SimHttp.Sse e = events.get(i);
            JsonNode j = e.json();
            assertEquals(e.event(), j.path("type").asText(), "event line and type agree");
            assertEquals(i, j.path("sequence_number").asInt(), "sequence numbers count from 0");
            out.add(e.event());
        }
        return out;
    }

    @Test
    void plainStreamOrderAndUsage() throws Exception {
        String body = "{\"model\":\"gpt-4.1-nano\",\"input\":\"Tell me a story\",\"stream\":true}";
        HttpResponse<String> r = http.post(PATH, body, "api-key", SimHttp.KEY);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertFalse(r.body().contains("[DONE]"));
        List<SimHttp.Sse> events = SimHttp.sse(r.body());
        List<String> types = types(events);
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added"), types.subList(0, 4));
        assertEquals(List.of("response.output_text.done", "response.content_part.done",
                "response.output_item.done", "response.completed"), types.subList(types.size() - 4, types.size()));
        StringBuilder text = new StringBuilder();
        int deltas = 0;
        for (SimHttp.Sse e : events.subList(4, events.size() - 4)) {
            assertEquals("response.output_text.delta", e.event());
            text.append(e.json().path("delta").asText());
            deltas++;
        }
        JsonNode completed = events.getLast().json().path("response");
        assertEquals("completed", completed.path("status").asText());
        JsonNode usage = completed.path("usage");
        assertEquals(deltas, usage.path("output_tokens").asInt());
        assertEquals(usage.path("input_tokens").asInt() + deltas, usage.path("total_tokens").asInt());
        assertEquals(0, usage.path("input_tokens_details").path("cached_tokens").asInt(-1));
        assertEquals(0, usage.path("output_tokens_details").path("reasoning_tokens").asInt(-1));

        JsonNode plain = SimHttp.json(http.post(PATH, body.replace(",\"stream\":true", ""), "api-key", SimHttp.KEY)
                .body());
        assertEquals("response", plain.path("object").asText());
        assertFalse(plain.has("output_text"));
        assertEquals(1, plain.path("output").size());
        JsonNode msg = plain.path("output").get(0);
        assertEquals("message", msg.path("type").asText());
        assertEquals(text.toString(), msg.path("content").get(0).path("text").asText());
        assertEquals(usage, plain.path("usage"));
    }

    @Test
    void reasoningItemComesFirst() throws Exception {
        String body = "{\"model\":\"o4-mini\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_text\","
                + "\"text\":\"Think hard\"}]}],\"stream\":true}";
        List<SimHttp.Sse> events = SimHttp.sse(http.post(PATH, body, "api-key", SimHttp.KEY).body());
        List<String> types = types(events);
        assertEquals("response.output_item.added", types.get(2));
        assertEquals("reasoning", events.get(2).json().path("item").path("type").asText());
        int reasoningDone = -1;
        int messageAdded = -1;
        for (int i = 0; i < events.size(); i++) {
            JsonNode j = events.get(i).json();
            if (types.get(i).equals("response.output_item.done") && j.path("item").path("type").asText()
                    .equals("reasoning")) {
                reasoningDone = i;
                assertFalse(j.path("item").path("summary").isEmpty());
            }
            if (types.get(i).equals("response.output_item.added") && j.path("item").path("type").asText()
                    .equals("message")) {
                messageAdded = i;
                assertEquals(1, j.path("output_index").asInt());
            }
        }
        assertTrue(reasoningDone > 2 && messageAdded > reasoningDone, types.toString());
        JsonNode usage = events.getLast().json().path("response").path("usage");
        assertEquals(CompletionPlanner.REASONING_TOKENS, usage.path("output_tokens_details").path("reasoning_tokens")
                .asInt());

        JsonNode plain = SimHttp.json(http.post(PATH, body.replace(",\"stream\":true", ""), "api-key", SimHttp.KEY)
                .body());
        assertEquals("reasoning", plain.path("output").get(0).path("type").asText());
        assertEquals("message", plain.path("output").get(1).path("type").asText());
        assertEquals(usage, plain.path("usage"));
    }

    @Test
    void functionCallsStream() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"input\":\"What's the weather in Rome?\",\"tools\":[{\"type\":"
                + "\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\"}}],\"stream\":true}";
        List<SimHttp.Sse> events = SimHttp.sse(http.post(PATH, body, "api-key", SimHttp.KEY).body());
        List<String> types = types(events);
        assertTrue(types.contains("response.function_call_arguments.delta"), types.toString());
        StringBuilder args = new StringBuilder();
        String done = null;
        for (SimHttp.Sse e : events) {
            if (e.event().equals("response.function_call_arguments.delta")) {
                args.append(e.json().path("delta").asText());
                assertTrue(e.json().path("item_id").asText().startsWith("fc_"));
            }
            if (e.event().equals("response.function_call_arguments.done")) {
                done = e.json().path("arguments").asText();
            }
        }
        assertEquals(done, args.toString());
        assertEquals("Rome", SimHttp.json(done).path("location").asText());
        JsonNode item = events.getLast().json().path("response").path("output").get(0);
        assertEquals("function_call", item.path("type").asText());
        assertEquals("get_weather", item.path("name").asText());
        assertTrue(item.path("call_id").asText().startsWith("call_"));

        String followUp = "{\"model\":\"gpt-4o\",\"previous_response_id\":\"resp_x\",\"input\":[{\"type\":"
                + "\"function_call_output\",\"call_id\":\"" + item.path("call_id").asText() + "\",\"output\":"
                + "\"rainy 12C\"}],\"tools\":[{\"type\":\"function\",\"name\":\"get_weather\"}]}";
        JsonNode answer = SimHttp.json(http.post(PATH, followUp, "api-key", SimHttp.KEY).body());
        assertTrue(answer.path("output").get(0).path("content").get(0).path("text").asText().contains("rainy 12C"));
        assertEquals("resp_x", answer.path("previous_response_id").asText());
    }

    @Test
    void maxOutputTokensGivesIncomplete() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"input\":\"hello\",\"max_output_tokens\":2,\"stream\":true}";
        List<SimHttp.Sse> events = SimHttp.sse(http.post(PATH, body, "api-key", SimHttp.KEY).body());
        assertEquals("response.incomplete", events.getLast().event());
        JsonNode resp = events.getLast().json().path("response");
        assertEquals("incomplete", resp.path("status").asText());
        assertEquals("max_output_tokens", resp.path("incomplete_details").path("reason").asText());
        assertEquals(2, resp.path("usage").path("output_tokens").asInt());
        JsonNode plain = SimHttp.json(http.post(PATH, body.replace(",\"stream\":true", ""), "api-key", SimHttp.KEY)
                .body());
        assertEquals("incomplete", plain.path("status").asText());
        assertEquals("max_output_tokens", plain.path("incomplete_details").path("reason").asText());
    }
}
