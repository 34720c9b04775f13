package com.aoaigw.proxy.translate;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Stream translation for a chat client of a responses backend: responses events in, chat completion chunks out.
 *
 * <p>The client gets a role chunk first, content and tool call deltas, exactly one finish chunk (from the terminal
 * event: {@code response.completed}, or {@code response.incomplete} → {@code length} / {@code content_filter}), a
 * usage chunk when it asked for {@code stream_options.include_usage}, and exactly one {@code [DONE]}. Upstream
 * {@code error} and {@code response.failed} events become a chat error chunk ({@code data: {"error":{...}}}, which
 * the SDKs raise) followed by {@code [DONE]}. Reasoning events have no chat representation and are dropped.
 */
final class ResponsesEventsToChatChunks implements StreamTranslator {
    private final ObjectMapper mapper;
    private final boolean includeUsage;
    private final String id;
    private long created;
    private String model = "";
    private boolean started;
    private boolean done;
    private Usage usage;
    private final ToolIndex tools = new ToolIndex();

    ResponsesEventsToChatChunks(ObjectMapper mapper, boolean includeUsage, String id, long created) {
        this.mapper = mapper;
        this.includeUsage = includeUsage;
        this.id = id;
        this.created = created;
    }

    @Override
    public List<SseEvent> onEvent(SseEvent upstream) {
        List<SseEvent> out = new ArrayList<>();
        String data = upstream.data();
        if (done || data == null || data.isBlank() || "[DONE]".equals(data.strip())) {
            return out;
        }
        JsonNode payload;
        try {
            payload = mapper.readTree(data);
        } catch (JsonProcessingException e) {
            return error(out, "upstream_invalid_event", "The upstream sent an event that is not JSON.");
        }
        String type = Json.text(payload, "type");
        if (type == null) {
            String event = upstream.event();
            type = event == null ? "" : event;
        }
        if (payload.has("error") && !type.startsWith("response.")) {
            JsonNode error = payload.get("error").isObject() ? payload.get("error") : payload;
            return error(out, error.path("code").asText("upstream_error"),
                    error.path("message").asText("The upstream stream failed."));
        }
        switch (type) {
            case "response.created", "response.in_progress" -> {
                JsonNode response = payload.path("response");
                model = response.path("model").asText(model);
                created = response.path("created_at").asLong(created);
                start(out);
            }
            case "response.output_text.delta" -> {
                start(out);
                ObjectNode delta = Json.object();
                delta.set("content", payload.path("delta").deepCopy());
                out.add(chunk(delta, null));
            }
            case "response.refusal.delta" -> {
                start(out);
                ObjectNode delta = Json.object();
                delta.set("refusal", payload.path("delta").deepCopy());
                out.add(chunk(delta, null));
            }
            case "response.output_item.added" -> {
                JsonNode item = payload.path("item");
                if ("function_call".equals(Json.text(item, "type"))) {
                    start(out);
                    String itemId = item.path("id").asText(item.path("call_id").asText());
                    int index = tools.indexOf(itemId);
                    ObjectNode delta = Json.object();
                    delta.putArray("tool_calls").add(ChatToResponsesTranslator.chatToolCall(item, index));
                    out.add(chunk(delta, null));
                }
            }
            case "response.function_call_arguments.delta" -> {
                String itemId = payload.path("item_id").asText();
                if (tools.contains(itemId)) {
                    ObjectNode call = Json.object();
                    call.put("index", tools.indexOf(itemId));
                    call.putObject("function").set("arguments", payload.path("delta").deepCopy());
                    ObjectNode delta = Json.object();
                    delta.putArray("tool_calls").add(call);
                    out.add(chunk(delta, null));
                }
            }
            case "response.completed", "response.incomplete" -> {
                start(out);
                JsonNode response = payload.path("response");
                boolean calls = !tools.isEmpty() || hasFunctionCall(response);
                out.add(chunk(Json.object(), ChatToResponsesTranslator.finishReason(response, calls)));
                JsonNode upstreamUsage = response.get("usage");
                if (upstreamUsage != null && upstreamUsage.isObject()) {
                    usage = UsageMapper.read(upstreamUsage);
                    if (includeUsage) {
                        ObjectNode usageChunk = base();
                        usageChunk.putArray("choices");
                        usageChunk.set("usage", UsageMapper.toChat(usage, upstreamUsage));
                        out.add(event(usageChunk));
                    }
                }
                out.add(SseEvent.DONE);
                done = true;
            }
            case "response.failed" -> {
                JsonNode error = payload.path("response").path("error");
                JsonNode upstreamUsage = payload.path("response").get("usage");
                if (upstreamUsage != null && upstreamUsage.isObject()) {
                    usage = UsageMapper.read(upstreamUsage);
                }
                return error(out, error.path("code").asText("upstream_failed"),
                        error.path("message").asText("The upstream response failed."));
            }
            case "error" -> {
                JsonNode error = payload.get("error") instanceof ObjectNode nested ? nested : payload;
                return error(out, error.path("code").asText("upstream_error"),
                        error.path("message").asText("The upstream stream failed."));
            }
            default -> {
                // Reasoning, content part and other bookkeeping events have no chat chunk.
            }
        }
        return out;
    }

    @Override
    public List<SseEvent> finish() {
        List<SseEvent> out = new ArrayList<>();
        if (done) {
            return out;
        }
        return error(out, "upstream_stream_incomplete", "The upstream stream ended before the response was complete.");
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    private static boolean hasFunctionCall(JsonNode response) {
        for (JsonNode item : response.path("output")) {
            if ("function_call".equals(Json.text(item, "type"))) {
                return true;
            }
        }
        return false;
    }

    private void start(List<SseEvent> out) {
        if (started) {
            return;
        }
        started = true;
        ObjectNode delta = Json.object();
        delta.put("role", "assistant");
        delta.put("content", "");
        out.add(chunk(delta, null));
    }

    private List<SseEvent> error(List<SseEvent> out, String code, String message) {
        ObjectNode body = Json.object();
        ObjectNode error = body.putObject("error");
        error.put("message", message);
        error.put("type", "upstream_error");
        error.putNull("param");
        error.put("code", code);
        out.add(event(body));
        out.add(SseEvent.DONE);
        done = true;
        return out;
    }

    private ObjectNode base() {
        ObjectNode chunk = Json.object();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        return chunk;
    }

    private SseEvent chunk(ObjectNode delta, String finishReason) {
        ObjectNode chunk = base();
        ArrayNode choices = chunk.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        choice.set("delta", delta);
        choice.putNull("logprobs");
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        return event(chunk);
    }

    private SseEvent event(ObjectNode body) {
        return Json.event(mapper, null, body);
    }

    /** Collects tool call indexes so that the chat deltas number calls 0, 1, ... in order. */
    private static final class ToolIndex {
        private final List<String> itemIds = new ArrayList<>();

        int indexOf(String itemId) {
            int index = itemIds.indexOf(itemId);
            if (index < 0) {
                itemIds.add(itemId);
                index = itemIds.size() - 1;
            }
            return index;
        }

        boolean isEmpty() {
            return itemIds.isEmpty();
        }

        boolean contains(String itemId) {
            return itemIds.contains(itemId);
        }
    }
}
