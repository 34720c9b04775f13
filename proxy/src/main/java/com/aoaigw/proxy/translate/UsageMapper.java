package com.aoaigw.proxy.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Converts token usage between the chat completions and responses shapes. */
final class UsageMapper {
    private UsageMapper() {
    }

    /** Usage from a chat {@code usage} object. */
    static StreamUsage fromChat(JsonNode usage) {
        return new StreamUsage(Json.longAt(usage, "prompt_tokens"), Json.longAt(usage, "completion_tokens"),
                Json.longAt(usage, "prompt_tokens_details", "cached_tokens"),
                Json.longAt(usage, "completion_tokens_details", "reasoning_tokens"));
    }

    /** Usage from a responses {@code usage} object. */
    static StreamUsage fromResponses(JsonNode usage) {
        return new StreamUsage(Json.longAt(usage, "input_tokens"), Json.longAt(usage, "output_tokens"),
                Json.longAt(usage, "input_tokens_details", "cached_tokens"),
                Json.longAt(usage, "output_tokens_details", "reasoning_tokens"));
    }

    /** A chat-shaped usage object. */
    static ObjectNode toChat(StreamUsage usage, JsonNode totalFrom) {
        ObjectNode out = Json.object();
        out.put("prompt_tokens", usage.prompt());
        out.put("completion_tokens", usage.completion());
        out.put("total_tokens", total(usage, totalFrom));
        out.putObject("prompt_tokens_details").put("cached_tokens", usage.cached());
        out.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoning());
        return out;
    }

    /** A responses-shaped usage object. */
    static ObjectNode toResponses(StreamUsage usage, JsonNode totalFrom) {
        ObjectNode out = Json.object();
        out.put("input_tokens", usage.prompt());
        // A chat backend does not report cache writes; the current Responses shape (and openai-java) requires it.
        out.putObject("input_tokens_details").put("cached_tokens", usage.cached()).put("cache_write_tokens", 0);
        out.put("output_tokens", usage.completion());
        out.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoning());
        out.put("total_tokens", total(usage, totalFrom));
        return out;
    }

    private static long total(StreamUsage usage, JsonNode totalFrom) {
        JsonNode total = totalFrom == null ? null : totalFrom.get("total_tokens");
        return total != null && total.isNumber() ? total.asLong() : usage.total();
    }
}
