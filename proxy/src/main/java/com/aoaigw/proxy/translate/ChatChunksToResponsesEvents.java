package com.aoaigw.proxy.translate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Stream translation for a responses client of a chat backend: chat completion chunks in, a complete Responses
 * event sequence out.
 *
 * <p>The client sees {@code response.created}, {@code response.in_progress}, then per output item
 * {@code response.output_item.added}, {@code response.content_part.added}, {@code response.output_text.delta}...,
 * {@code response.output_text.done}, {@code response.content_part.done}, {@code response.output_item.done} (for
 * tool calls {@code response.function_call_arguments.delta}/{@code .done}), and finally
 * {@code response.completed} or {@code response.incomplete} with usage and the whole Response. Every event has an
 * {@code event:} line and a {@code sequence_number} counting from 0. The upstream {@code [DONE]} is not forwarded
 * (it is not part of the Responses protocol). An upstream error chunk becomes an {@code error} event.
 */
final class ChatChunksToResponsesEvents implements StreamTranslator {
    private final ObjectMapper mapper;
    private final IdSource ids;
    private final JsonNode request;
    private final long createdAt;
    private ResponseBuilder builder;
    private int sequence;
    private int nextOutputIndex;
    private boolean done;
    private String finishReason;
    private JsonNode upstreamUsage;
    private Usage usage;
    private OpenMessage message;
    private final Map<Integer, OpenCall> calls = new LinkedHashMap<>();
    private final TreeMap<Integer, ObjectNode> finished = new TreeMap<>();

    ChatChunksToResponsesEvents(ObjectMapper mapper, IdSource ids, JsonNode request, long createdAt) {
        this.mapper = mapper;
        this.ids = ids;
        this.request = request;
        this.createdAt = createdAt;
    }

    @Override
    public List<SseEvent> onEvent(SseEvent upstream) {
        List<SseEvent> out = new ArrayList<>();
        String data = upstream.data();
        if (done || data == null || data.isBlank()) {
            return out;
        }
        if ("[DONE]".equals(data.strip())) {
            complete(out);
            return out;
        }
        JsonNode chunk;
        try {
            chunk = mapper.readTree(data);
        } catch (JsonProcessingException e) {
            return error(out, "upstream_invalid_event", "The upstream sent an event that is not JSON.", null);
        }
        if (chunk.has("error")) {
            JsonNode error = chunk.get("error").isObject() ? chunk.get("error") : chunk;
            return error(out, error.path("code").asText("upstream_error"),
                    error.path("message").asText("The upstream stream failed."), Json.text(error, "param"));
        }
        start(out, chunk);
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt(0) != 0) {
                continue;
            }
            JsonNode delta = choice.path("delta");
            String content = Json.text(delta, "content");
            if (content != null && !content.isEmpty()) {
                openMessage(out).appendText(out, content);
            }
            String refusal = Json.text(delta, "refusal");
            if (refusal != null && !refusal.isEmpty()) {
                openMessage(out).appendRefusal(out, refusal);
            }
            for (JsonNode call : delta.path("tool_calls")) {
                toolCallDelta(out, call);
            }
            if (Json.has(choice, "finish_reason")) {
                finishReason = choice.get("finish_reason").asText();
            }
        }
        if (chunk.get("usage") instanceof ObjectNode chunkUsage) {
            upstreamUsage = chunkUsage;
            usage = UsageMapper.read(chunkUsage);
        }
        return out;
    }

    @Override
    public List<SseEvent> finish() {
        List<SseEvent> out = new ArrayList<>();
        if (done) {
            return out;
        }
        if (finishReason != null) {
            // The upstream finished the answer but did not send [DONE]: the answer is still whole.
            complete(out);
            return out;
        }
        return error(out, "upstream_stream_incomplete", "The upstream stream ended before the response was complete.",
                null);
    }

    @Override
    public boolean done() {
        return done;
    }

    @Override
    public Optional<Usage> usage() {
        return Optional.ofNullable(usage);
    }

    private void start(List<SseEvent> out, JsonNode chunk) {
        if (builder != null) {
            return;
        }
        String model = chunk == null ? "" : chunk.path("model").asText("");
        if (model.isEmpty()) {
            model = request.path("model").asText("");
        }
        builder = new ResponseBuilder(ids, request, ids.next("resp"), createdAt, model);
        ObjectNode created = Json.object();
        created.set("response", builder.inProgress());
        out.add(emit("response.created", created));
        ObjectNode progress = Json.object();
        progress.set("response", builder.inProgress());
        out.add(emit("response.in_progress", progress));
    }

    private OpenMessage openMessage(List<SseEvent> out) {
        if (message == null) {
            message = new OpenMessage(ids.next("msg"), nextOutputIndex++);
            ObjectNode added = Json.object();
            added.put("output_index", message.outputIndex);
            added.set("item", ResponseBuilder.messageItem(message.itemId, "in_progress"));
            out.add(emit("response.output_item.added", added));
        }
        return message;
    }

    private void toolCallDelta(List<SseEvent> out, JsonNode delta) {
        int index = delta.path("index").asInt(0);
        OpenCall call = calls.get(index);
        if (call == null) {
            closeMessage(out);
            call = new OpenCall(ids.next("fc"), nextOutputIndex++, delta.path("id").asText(""),
                    delta.path("function").path("name").asText(""));
            calls.put(index, call);
            ObjectNode added = Json.object();
            added.put("output_index", call.outputIndex);
            added.set("item", ResponseBuilder.functionCallItem(call.itemId, call.callId, call.name, "", "in_progress"));
            out.add(emit("response.output_item.added", added));
        }
        String arguments = Json.text(delta.path("function"), "arguments");
        if (arguments != null && !arguments.isEmpty()) {
            call.arguments.append(arguments);
            ObjectNode event = Json.object();
            event.put("item_id", call.itemId);
            event.put("output_index", call.outputIndex);
            event.put("delta", arguments);
            out.add(emit("response.function_call_arguments.delta", event));
        }
    }

    private void closeMessage(List<SseEvent> out) {
        if (message != null) {
            finished.put(message.outputIndex, message.close(out));
            message = null;
        }
    }

    private void complete(List<SseEvent> out) {
        start(out, null);
        closeMessage(out);
        for (OpenCall call : calls.values()) {
            finished.put(call.outputIndex, call.close(out));
        }
        calls.clear();
        finished.values().forEach(builder.output()::add);
        ObjectNode responsesUsage = usage == null ? null : UsageMapper.toResponses(usage, upstreamUsage);
        ObjectNode response = builder.build(finishReason, responsesUsage);
        ObjectNode terminal = Json.object();
        terminal.set("response", response);
        out.add(emit("incomplete".equals(ResponseBuilder.status(finishReason)) ? "response.incomplete"
                : "response.completed", terminal));
        done = true;
    }

    private List<SseEvent> error(List<SseEvent> out, String code, String message, String param) {
        ObjectNode error = Json.object();
        error.put("code", code);
        error.put("message", message);
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param);
        }
        out.add(emit("error", error));
        done = true;
        return out;
    }

    private SseEvent emit(String type, ObjectNode fields) {
        ObjectNode payload = Json.object();
        payload.put("type", type);
        payload.put("sequence_number", sequence++);
        payload.setAll(fields);
        return Json.event(mapper, type, payload);
    }

    /** A message item being streamed, with its text and refusal parts. */
    private final class OpenMessage {
        private final String itemId;
        private final int outputIndex;
        private int nextPart;
        private int textPart = -1;
        private int refusalPart = -1;
        private final StringBuilder text = new StringBuilder();
        private final StringBuilder refusal = new StringBuilder();

        OpenMessage(String itemId, int outputIndex) {
            this.itemId = itemId;
            this.outputIndex = outputIndex;
        }

        void appendText(List<SseEvent> out, String delta) {
            if (textPart < 0) {
                textPart = nextPart++;
                out.add(emit("response.content_part.added", partEvent(textPart, ResponseBuilder.textPart(""))));
            }
            text.append(delta);
            ObjectNode event = itemEvent(textPart);
            event.put("delta", delta);
            event.putArray("logprobs");
            out.add(emit("response.output_text.delta", event));
        }

        void appendRefusal(List<SseEvent> out, String delta) {
            if (refusalPart < 0) {
                refusalPart = nextPart++;
                out.add(emit("response.content_part.added", partEvent(refusalPart, ResponseBuilder.refusalPart(""))));
            }
            refusal.append(delta);
            ObjectNode event = itemEvent(refusalPart);
            event.put("delta", delta);
            out.add(emit("response.refusal.delta", event));
        }

        ObjectNode close(List<SseEvent> out) {
            ObjectNode item = ResponseBuilder.messageItem(itemId, ResponseBuilder.status(finishReason));
            ObjectNode[] parts = new ObjectNode[nextPart];
            if (textPart >= 0) {
                ObjectNode event = itemEvent(textPart);
                event.put("text", text.toString());
                event.putArray("logprobs");
                out.add(emit("response.output_text.done", event));
                parts[textPart] = ResponseBuilder.textPart(text.toString());
                out.add(emit("response.content_part.done", partEvent(textPart, parts[textPart])));
            }
            if (refusalPart >= 0) {
                ObjectNode event = itemEvent(refusalPart);
                event.put("refusal", refusal.toString());
                out.add(emit("response.refusal.done", event));
                parts[refusalPart] = ResponseBuilder.refusalPart(refusal.toString());
                out.add(emit("response.content_part.done", partEvent(refusalPart, parts[refusalPart])));
            }
            for (ObjectNode part : parts) {
                item.withArray("content").add(part);
            }
            ObjectNode done = Json.object();
            done.put("output_index", outputIndex);
            done.set("item", item);
            out.add(emit("response.output_item.done", done));
            return item;
        }

        private ObjectNode itemEvent(int contentIndex) {
            ObjectNode event = Json.object();
            event.put("item_id", itemId);
            event.put("output_index", outputIndex);
            event.put("content_index", contentIndex);
            return event;
        }

        private ObjectNode partEvent(int contentIndex, ObjectNode part) {
            ObjectNode event = itemEvent(contentIndex);
            event.set("part", part);
            return event;
        }
    }

    /** A function call item being streamed. */
    private final class OpenCall {
        private final String itemId;
        private final int outputIndex;
        private final String callId;
        private final String name;
        private final StringBuilder arguments = new StringBuilder();

        OpenCall(String itemId, int outputIndex, String callId, String name) {
            this.itemId = itemId;
            this.outputIndex = outputIndex;
            this.callId = callId;
            this.name = name;
        }

        ObjectNode close(List<SseEvent> out) {
            ObjectNode event = Json.object();
            event.put("item_id", itemId);
            event.put("output_index", outputIndex);
            event.put("arguments", arguments.toString());
            out.add(emit("response.function_call_arguments.done", event));
            ObjectNode item = ResponseBuilder.functionCallItem(itemId, callId, name, arguments.toString(), "completed");
            ObjectNode done = Json.object();
            done.put("output_index", outputIndex);
            done.set("item", item);
            out.add(emit("response.output_item.done", done));
            return item;
        }
    }
}
