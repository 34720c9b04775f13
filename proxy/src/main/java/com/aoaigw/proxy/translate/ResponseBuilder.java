package com.aoaigw.proxy.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds Response objects (the Responses API shape) for answers that came from a chat backend, echoing the client's
 * request settings the way the Responses API does, so that SDK models that expect these fields parse.
 */
final class ResponseBuilder {
    private final IdSource ids;
    private final JsonNode request;
    private final String id;
    private final long createdAt;
    private final String model;
    private final ArrayNode output = Json.array();

    ResponseBuilder(IdSource ids, JsonNode request, String id, long createdAt, String model) {
        this.ids = ids;
        this.request = request;
        this.id = id;
        this.createdAt = createdAt;
        this.model = model;
    }

    String id() {
        return id;
    }

    ArrayNode output() {
        return output;
    }

    /** Adds a completed message item; returns it. */
    ObjectNode addMessage(String text, String refusal) {
        ObjectNode item = messageItem(ids.next("msg"), "completed");
        ArrayNode content = (ArrayNode) item.get("content");
        if (text != null && !text.isEmpty()) {
            content.add(textPart(text));
        }
        if (refusal != null) {
            content.add(refusalPart(refusal));
        }
        output.add(item);
        return item;
    }

    /** Adds a completed function call item; returns it. */
    ObjectNode addFunctionCall(String callId, String name, String arguments) {
        ObjectNode item = functionCallItem(ids.next("fc"), callId, name, arguments, "completed");
        output.add(item);
        return item;
    }

    static ObjectNode messageItem(String itemId, String status) {
        ObjectNode item = Json.object();
        item.put("id", itemId);
        item.put("type", "message");
        item.put("status", status);
        item.put("role", "assistant");
        item.putArray("content");
        return item;
    }

    static ObjectNode textPart(String text) {
        ObjectNode part = Json.object();
        part.put("type", "output_text");
        part.put("text", text);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    static ObjectNode refusalPart(String refusal) {
        ObjectNode part = Json.object();
        part.put("type", "refusal");
        part.put("refusal", refusal);
        return part;
    }

    static ObjectNode functionCallItem(String itemId, String callId, String name, String arguments, String status) {
        ObjectNode item = Json.object();
        item.put("id", itemId);
        item.put("type", "function_call");
        item.put("status", status);
        item.put("arguments", arguments);
        item.put("call_id", callId);
        item.put("name", name);
        return item;
    }

    /** The Response while it is being generated (for {@code response.created}). */
    ObjectNode inProgress() {
        ObjectNode response = base("in_progress");
        response.putArray("output");
        response.putNull("usage");
        return response;
    }

    /**
     * The final Response.
     *
     * @param finishReason the chat finish_reason ({@code stop}, {@code length}, {@code tool_calls},
     *                     {@code content_filter}), or {@code null}
     * @param usage        responses-shaped usage, or {@code null}
     * @return the Response object
     */
    ObjectNode build(String finishReason, ObjectNode usage) {
        String reason = switch (finishReason == null ? "stop" : finishReason) {
            case "length" -> "max_output_tokens";
            case "content_filter" -> "content_filter";
            default -> null;
        };
        ObjectNode response = base(reason == null ? "completed" : "incomplete");
        if (reason != null) {
            response.putObject("incomplete_details").put("reason", reason);
        }
        response.set("output", output.deepCopy());
        if (usage == null) {
            response.putNull("usage");
        } else {
            response.set("usage", usage);
        }
        return response;
    }

    /** Status of the final Response for a chat finish_reason. */
    static String status(String finishReason) {
        return "length".equals(finishReason) || "content_filter".equals(finishReason) ? "incomplete" : "completed";
    }

    private ObjectNode base(String status) {
        ObjectNode response = Json.object();
        response.put("id", id);
        response.put("object", "response");
        response.put("created_at", createdAt);
        response.put("status", status);
        response.put("background", false);
        response.putNull("error");
        response.putNull("incomplete_details");
        echo(response, "instructions", null);
        echo(response, "max_output_tokens", null);
        response.putNull("max_tool_calls");
        response.put("model", model);
        response.putNull("previous_response_id");
        echo(response, "parallel_tool_calls", Json.NODES.booleanNode(true));
        echo(response, "reasoning", null);
        response.put("store", false);
        echo(response, "temperature", null);
        echo(response, "text", textDefault());
        echo(response, "tool_choice", Json.NODES.textNode("auto"));
        echo(response, "tools", Json.array());
        echo(response, "top_p", null);
        response.put("truncation", "disabled");
        echo(response, "user", null);
        echo(response, "metadata", Json.object());
        return response;
    }

    private static ObjectNode textDefault() {
        ObjectNode text = Json.object();
        text.putObject("format").put("type", "text");
        return text;
    }

    private void echo(ObjectNode response, String field, JsonNode fallback) {
        if (Json.has(request, field)) {
            response.set(field, request.get(field).deepCopy());
        } else if (fallback == null) {
            response.putNull(field);
        } else {
            response.set(field, fallback);
        }
    }
}
