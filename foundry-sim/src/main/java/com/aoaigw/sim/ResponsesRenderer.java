package com.aoaigw.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Renders a {@link Completion} as a Responses API answer: one JSON document, or named SSE events with increasing
 * {@code sequence_number} and no {@code [DONE]}. A reasoning deployment's {@code reasoning} item comes first.
 */
final class ResponsesRenderer {
    private final ObjectMapper mapper;

    ResponsesRenderer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The non-stream answer. */
    byte[] json(Completion c, String id, long created, JsonNode request) {
        return bytes(response(c, id, created, request, true));
    }

    /** The SSE answer. */
    List<SseEvent> stream(Completion c, String id, long created, JsonNode request) {
        Events ev = new Events();
        ObjectNode initial = response(c, id, created, request, false);
        ev.add("response.created", false, o -> o.set("response", initial));
        ev.add("response.in_progress", false, o -> o.set("response", initial.deepCopy()));
        int index = 0;
        if (c.reasoning()) {
            int oi = index++;
            String itemId = "rs_" + id;
            ObjectNode emptyItem = reasoningItem(itemId, null);
            ev.add("response.output_item.added", false, o -> {
                o.put("output_index", oi);
                o.set("item", emptyItem);
            });
            ev.add("response.reasoning_summary_part.added", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("summary_index", 0);
                o.set("part", summaryPart(""));
            });
            ev.add("response.reasoning_summary_text.delta", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("summary_index", 0);
                o.put("delta", c.reasoningSummary());
            });
            ev.add("response.reasoning_summary_text.done", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("summary_index", 0);
                o.put("text", c.reasoningSummary());
            });
            ev.add("response.reasoning_summary_part.done", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("summary_index", 0);
                o.set("part", summaryPart(c.reasoningSummary()));
            });
            ev.add("response.output_item.done", false, o -> {
                o.put("output_index", oi);
                o.set("item", reasoningItem(itemId, c.reasoningSummary()));
            });
        }
        int oi = index;
        if (c.toolCall() != null) {
            String itemId = "fc_" + id;
            ev.add("response.output_item.added", false, o -> {
                o.put("output_index", oi);
                o.set("item", functionItem(itemId, c, "", "in_progress"));
            });
            for (String piece : c.toolCall().argumentPieces()) {
                ev.add("response.function_call_arguments.delta", true, o -> {
                    o.put("item_id", itemId);
                    o.put("output_index", oi);
                    o.put("delta", piece);
                });
            }
            ev.add("response.function_call_arguments.done", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("arguments", c.toolCall().arguments());
            });
            ev.add("response.output_item.done", false, o -> {
                o.put("output_index", oi);
                o.set("item", functionItem(itemId, c, c.toolCall().arguments(), "completed"));
            });
        } else {
            String itemId = "msg_" + id;
            ev.add("response.output_item.added", false, o -> {
                o.put("output_index", oi);
                ObjectNode item = messageItem(itemId, null, "in_progress");
                o.set("item", item);
            });
            ev.add("response.content_part.added", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("content_index", 0);
                o.set("part", textPart(""));
            });
            for (String delta : c.deltas()) {
                ev.add("response.output_text.delta", true, o -> {
                    o.put("item_id", itemId);
                    o.put("output_index", oi);
                    o.put("content_index", 0);
                    o.put("delta", delta);
                    o.putArray("logprobs");
                });
            }
            ev.add("response.output_text.done", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("content_index", 0);
                o.put("text", c.text());
                o.putArray("logprobs");
            });
            ev.add("response.content_part.done", false, o -> {
                o.put("item_id", itemId);
                o.put("output_index", oi);
                o.put("content_index", 0);
                o.set("part", textPart(c.text()));
            });
            ev.add("response.output_item.done", false, o -> {
                o.put("output_index", oi);
                o.set("item", messageItem(itemId, c.text(), c.truncated() ? "incomplete" : "completed"));
            });
        }
        ObjectNode last = response(c, id, created, request, true);
        ev.add(c.truncated() ? "response.incomplete" : "response.completed", false, o -> o.set("response", last));
        return ev.events;
    }

    /** The response object; {@code done} false gives the in-progress shape of {@code response.created}. */
    private ObjectNode response(Completion c, String id, long created, JsonNode request, boolean done) {
        ObjectNode r = mapper.createObjectNode();
        r.put("id", "resp_" + id);
        r.put("object", "response");
        r.put("created_at", created);
        r.put("status", done ? (c.truncated() ? "incomplete" : "completed") : "in_progress");
        r.put("background", false);
        r.putNull("error");
        if (done && c.truncated()) {
            r.putObject("incomplete_details").put("reason", "max_output_tokens");
        } else {
            r.putNull("incomplete_details");
        }
        copyOrNull(r, request, "instructions");
        copyOrNull(r, request, "max_output_tokens");
        r.put("model", c.deployment());
        ArrayNode output = r.putArray("output");
        if (done) {
            if (c.reasoning()) {
                output.add(reasoningItem("rs_" + id, c.reasoningSummary()));
            }
            if (c.toolCall() != null) {
                output.add(functionItem("fc_" + id, c, c.toolCall().arguments(), "completed"));
            } else {
                output.add(messageItem("msg_" + id, c.text(), c.truncated() ? "incomplete" : "completed"));
            }
        }
        r.put("parallel_tool_calls", true);
        copyOrNull(r, request, "previous_response_id");
        ObjectNode reasoning = r.putObject("reasoning");
        if (c.reasoning()) {
            reasoning.put("effort", request.path("reasoning").path("effort").asText("medium"));
        } else {
            reasoning.putNull("effort");
        }
        reasoning.putNull("summary");
        r.put("store", request.path("store").asBoolean(true));
        r.put("temperature", request.path("temperature").asDouble(1.0));
        r.putObject("text").putObject("format").put("type", "text");
        if (request.has("tool_choice")) {
            r.set("tool_choice", request.get("tool_choice").deepCopy());
        } else {
            r.put("tool_choice", "auto");
        }
        r.set("tools", request.has("tools") ? request.get("tools").deepCopy() : mapper.createArrayNode());
        r.put("top_p", request.path("top_p").asDouble(1.0));
        r.put("truncation", "disabled");
        if (done) {
            ObjectNode u = r.putObject("usage");
            u.put("input_tokens", c.promptTokens());
            u.putObject("input_tokens_details").put("cached_tokens", 0);
            u.put("output_tokens", c.completionTokens());
            u.putObject("output_tokens_details").put("reasoning_tokens", c.reasoningTokens());
            u.put("total_tokens", c.promptTokens() + c.completionTokens());
        } else {
            r.putNull("usage");
        }
        r.putNull("user");
        r.set("metadata", request.has("metadata") ? request.get("metadata").deepCopy() : mapper.createObjectNode());
        return r;
    }

    private static void copyOrNull(ObjectNode target, JsonNode request, String field) {
        JsonNode v = request.get(field);
        if (v == null) {
            target.putNull(field);
        } else {
            target.set(field, v.deepCopy());
        }
    }

    private ObjectNode reasoningItem(String itemId, String summary) {
        ObjectNode item = mapper.createObjectNode();
        item.put("id", itemId);
        item.put("type", "reasoning");
        ArrayNode s = item.putArray("summary");
        if (summary != null) {
            s.add(summaryPart(summary));
        }
        return item;
    }

    private ObjectNode summaryPart(String text) {
        ObjectNode p = mapper.createObjectNode();
        p.put("type", "summary_text");
        p.put("text", text);
        return p;
    }

    private ObjectNode functionItem(String itemId, Completion c, String arguments, String status) {
        ObjectNode item = mapper.createObjectNode();
        item.put("id", itemId);
        item.put("type", "function_call");
        item.put("status", status);
        item.put("arguments", arguments);
        item.put("call_id", c.toolCall().id());
        item.put("name", c.toolCall().name());
        return item;
    }

    private ObjectNode messageItem(String itemId, String text, String status) {
        ObjectNode item = mapper.createObjectNode();
        item.put("id", itemId);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        ArrayNode content = item.putArray("content");
        if (text != null) {
            content.add(textPart(text));
        }
        return item;
    }

    private ObjectNode textPart(String text) {
        ObjectNode p = mapper.createObjectNode();
        p.put("type", "output_text");
        p.putArray("annotations");
        p.putArray("logprobs");
        p.put("text", text);
        return p;
    }

    private byte[] bytes(Object node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** Collects named events, numbering them from 0. */
    private final class Events {
        private final List<SseEvent> events = new ArrayList<>();

        void add(String type, boolean paced, java.util.function.Consumer<ObjectNode> fill) {
            ObjectNode o = mapper.createObjectNode();
            o.put("type", type);
            o.put("sequence_number", events.size());
            fill.accept(o);
            byte[] json = bytes(o);
            byte[] head = ("event: " + type + "\ndata: ").getBytes(StandardCharsets.US_ASCII);
            byte[] out = new byte[head.length + json.length + 2];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(json, 0, out, head.length, json.length);
            out[out.length - 2] = '\n';
            out[out.length - 1] = '\n';
            events.add(new SseEvent(out, paced));
        }
    }
}
