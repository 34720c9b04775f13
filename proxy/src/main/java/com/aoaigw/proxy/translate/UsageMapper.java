package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The one place that knows the two usage shapes: chat completions ({@code prompt_tokens}, {@code completion_tokens},
 * {@code prompt_tokens_details.cached_tokens}, {@code completion_tokens_details.reasoning_tokens}) and responses
 * ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens},
 * {@code output_tokens_details.reasoning_tokens}). Reading accepts either (a chat name wins over its responses
 * twin when both are present); writing makes the shape a client's API expects.
 */
public final class UsageMapper {
    private UsageMapper() {
    }

    /**
     * Reads a usage object of either shape.
     *
     * @param usage a JSON object
     * @return the usage
     */
    public static Usage read(JsonNode usage) {
        try (JsonParser p = usage.traverse()) {
            p.nextToken();
            Usage u = read(p);
            return u == null ? Usage.NONE : u;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a tree is never cut short
        }
    }

    /**
     * Reads a usage object of either shape token by token (a body's usage is found by a byte scan and parsed alone).
     *
     * @param p a parser on the object's {@code START_OBJECT}
     * @return the usage, or null when the object is not one or is cut short
     * @throws IOException when the JSON is malformed
     */
    public static Usage read(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        long prompt = -1;
        long input = 0;
        long completion = -1;
        long output = 0;
        long cachedPrompt = -1;
        long cachedInput = 0;
        long reasoningCompletion = -1;
        long reasoningOutput = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "prompt_tokens" -> prompt = number(p, v);
                case "input_tokens" -> input = number(p, v);
                case "completion_tokens" -> completion = number(p, v);
                case "output_tokens" -> output = number(p, v);
                case "prompt_tokens_details" -> cachedPrompt = detail(p, v, "cached_tokens");
                case "input_tokens_details" -> cachedInput = detail(p, v, "cached_tokens");
                case "completion_tokens_details" -> reasoningCompletion = detail(p, v, "reasoning_tokens");
                case "output_tokens_details" -> reasoningOutput = detail(p, v, "reasoning_tokens");
                default -> p.skipChildren();
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            return null; // cut short
        }
        return new Usage(prompt >= 0 ? prompt : input, completion >= 0 ? completion : output,
                cachedPrompt >= 0 ? cachedPrompt : cachedInput,
                reasoningCompletion >= 0 ? reasoningCompletion : reasoningOutput);
    }

    private static long number(JsonParser p, JsonToken v) throws IOException {
        if (v.isStructStart()) {
            p.skipChildren();
            return 0;
        }
        return v.isScalarValue() ? Math.max(0, p.getValueAsLong(0)) : 0;
    }

    private static long detail(JsonParser p, JsonToken v, String field) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return 0;
        }
        long value = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals(field)) {
                value = number(p, t);
            } else {
                p.skipChildren();
            }
        }
        return value;
    }

    /**
     * A chat-shaped usage object.
     *
     * @param usage     the usage
     * @param totalFrom the upstream usage object whose {@code total_tokens} is kept, or null
     * @return a new object
     */
    static ObjectNode toChat(Usage usage, JsonNode totalFrom) {
        ObjectNode out = Json.object();
        out.put("prompt_tokens", usage.promptTokens());
        out.put("completion_tokens", usage.completionTokens());
        out.put("total_tokens", total(usage, totalFrom));
        out.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        out.putObject("completion_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        return out;
    }

    /**
     * A responses-shaped usage object.
     *
     * @param usage     the usage
     * @param totalFrom the upstream usage object whose {@code total_tokens} is kept, or null
     * @return a new object
     */
    static ObjectNode toResponses(Usage usage, JsonNode totalFrom) {
        ObjectNode out = Json.object();
        out.put("input_tokens", usage.promptTokens());
        // A chat backend does not report cache writes; the current Responses shape (and openai-java) requires it.
        out.putObject("input_tokens_details").put("cached_tokens", usage.cachedTokens()).put("cache_write_tokens", 0);
        out.put("output_tokens", usage.completionTokens());
        out.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
        out.put("total_tokens", total(usage, totalFrom));
        return out;
    }

    private static long total(Usage usage, JsonNode totalFrom) {
        JsonNode total = totalFrom == null ? null : totalFrom.get("total_tokens");
        return total != null && total.isNumber() ? total.asLong() : usage.total();
    }
}
