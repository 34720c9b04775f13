package com.aoaigw.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Renders a {@link Completion} as an Azure Chat Completions answer: one JSON document or an SSE stream. */
final class ChatRenderer {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final ObjectMapper mapper;

    ChatRenderer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The non-stream answer. */
    byte[] json(Completion c, String id, long created) {
        ObjectNode root = mapper.createObjectNode();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", created);
        root.put("model", c.deployment());
        root.put("system_fingerprint", "fp_sim");
        root.set("prompt_filter_results", promptFilterResults());
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("finish_reason", finishReason(c));
        choice.putNull("logprobs");
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (c.toolCall() != null) {
            message.putNull("content");
            ObjectNode call = message.putArray("tool_calls").addObject();
            call.put("id", c.toolCall().id());
            call.put("type", "function");
            ObjectNode fn = call.putObject("function");
            fn.put("name", c.toolCall().name());
            fn.put("arguments", c.toolCall().arguments());
        } else {
            message.put("content", c.text());
        }
        message.putNull("refusal");
        message.putArray("annotations");
        choice.set("content_filter_results", ContentFilter.results(mapper));
        root.set("usage", usage(c));
        return bytes(root);
    }

    /** The SSE answer, exactly in Azure's order; the usage chunk only when asked for. */
    List<SseEvent> stream(Completion c, String id, long created, boolean includeUsage) {
        List<SseEvent> events = new ArrayList<>(c.deltas().size() + 6);
        ObjectNode first = mapper.createObjectNode();
        first.put("id", "");
        first.put("object", "");
        first.put("created", 0);
        first.put("model", "");
        first.set("prompt_filter_results", promptFilterResults());
        first.putArray("choices");
        first.putNull("usage");
        events.add(event(first, false));

        ObjectNode role = chunk(id, created, c);
        ObjectNode roleChoice = choice(role, null);
        ObjectNode roleDelta = roleChoice.putObject("delta");
        roleDelta.put("role", "assistant");
        if (c.toolCall() != null) {
            roleDelta.putNull("content");
            ObjectNode call = roleDelta.putArray("tool_calls").addObject();
            call.put("index", 0);
            call.put("id", c.toolCall().id());
            call.put("type", "function");
            ObjectNode fn = call.putObject("function");
            fn.put("name", c.toolCall().name());
            fn.put("arguments", "");
        } else {
            roleDelta.put("content", "");
        }
        roleDelta.putNull("refusal");
        events.add(event(role, false));

        if (c.toolCall() != null) {
            for (String piece : c.toolCall().argumentPieces()) {
                ObjectNode ch = chunk(id, created, c);
                ObjectNode call = choice(ch, null).putObject("delta").putArray("tool_calls").addObject();
                call.put("index", 0);
                call.putObject("function").put("arguments", piece);
                events.add(event(ch, true));
            }
        } else {
            for (String delta : c.deltas()) {
                ObjectNode ch = chunk(id, created, c);
                ObjectNode choice = choice(ch, null);
                choice.putObject("delta").put("content", delta);
                choice.set("content_filter_results", ContentFilter.results(mapper));
                events.add(event(ch, true));
            }
        }

        ObjectNode finish = chunk(id, created, c);
        choice(finish, finishReason(c)).putObject("delta");
        events.add(event(finish, false));

        if (includeUsage) {
            ObjectNode usage = mapper.createObjectNode();
            usage.put("id", id);
            usage.put("object", "chat.completion.chunk");
            usage.put("created", created);
            usage.put("model", c.deployment());
            usage.put("system_fingerprint", "fp_sim");
            usage.putArray("choices");
            usage.set("usage", usage(c));
            events.add(event(usage, false));
        }
        events.add(new SseEvent(DONE, false));
        return events;
    }

    static String finishReason(Completion c) {
        if (c.toolCall() != null) {
            return "tool_calls";
        }
        return c.truncated() ? "length" : "stop";
    }

    private ObjectNode chunk(String id, long created, Completion c) {
        ObjectNode ch = mapper.createObjectNode();
        ch.put("id", id);
        ch.put("object", "chat.completion.chunk");
        ch.put("created", created);
        ch.put("model", c.deployment());
        ch.put("system_fingerprint", "fp_sim");
        ch.putArray("choices");
        ch.putNull("usage");
        return ch;
    }

    private static ObjectNode choice(ObjectNode chunk, String finishReason) {
        ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject();
        choice.put("index", 0);
        choice.put("finish_reason", finishReason);
        choice.putNull("logprobs");
        return choice;
    }

    private ArrayNode promptFilterResults() {
        ArrayNode arr = mapper.createArrayNode();
        ObjectNode r = arr.addObject();
        r.put("prompt_index", 0);
        r.set("content_filter_results", ContentFilter.results(mapper));
        return arr;
    }

    private ObjectNode usage(Completion c) {
        ObjectNode u = mapper.createObjectNode();
        u.put("prompt_tokens", c.promptTokens());
        u.put("completion_tokens", c.completionTokens());
        u.put("total_tokens", c.promptTokens() + c.completionTokens());
        ObjectNode pd = u.putObject("prompt_tokens_details");
        pd.put("audio_tokens", 0);
        pd.put("cached_tokens", 0);
        ObjectNode cd = u.putObject("completion_tokens_details");
        cd.put("accepted_prediction_tokens", 0);
        cd.put("audio_tokens", 0);
        cd.put("reasoning_tokens", c.reasoningTokens());
        cd.put("rejected_prediction_tokens", 0);
        return u;
    }

    private SseEvent event(ObjectNode node, boolean paced) {
        byte[] json = bytes(node);
        byte[] out = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return new SseEvent(out, paced);
    }

    private byte[] bytes(Object node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
