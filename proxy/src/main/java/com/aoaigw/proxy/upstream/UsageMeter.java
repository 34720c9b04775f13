package com.aoaigw.proxy.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads usage from upstream answers: the {@code usage} of a non-stream body, the usage chunk of a chat stream, the
 * {@code response.usage} of a Responses terminal event. Only events that contain the bytes {@code "usage":{} are
 * parsed. Chat ({@code prompt_tokens}, {@code completion_tokens}, {@code prompt_tokens_details.cached_tokens}) and
 * Responses ({@code input_tokens}, {@code output_tokens}, {@code input_tokens_details.cached_tokens}) names are
 * both understood. One instance per request.
 */
public final class UsageMeter {
    private static final byte[] USAGE_OBJECT = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE_OBJECT_SPACED = "\"usage\": {".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;
    private Usage usage = Usage.NONE;
    private boolean seen;

    /** @param mapper the shared mapper */
    public UsageMeter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Looks at one stream event.
     *
     * @param event the upstream event
     * @return true when the event is a chat usage-only chunk ({@code choices: []} with usage)
     */
    public boolean observe(SseEvent event) {
        if (!event.contains(USAGE_OBJECT) && !event.contains(USAGE_OBJECT_SPACED)) {
            return false;
        }
        String data = event.data();
        if (data == null || data.isEmpty() || data.charAt(0) != '{') {
            return false;
        }
        try {
            JsonNode root = mapper.readTree(data);
            JsonNode u = root.path("usage");
            if (!u.isObject()) {
                u = root.path("response").path("usage");
            }
            if (u.isObject()) {
                take(u);
                JsonNode choices = root.path("choices");
                return choices.isArray() && choices.isEmpty() && root.has("usage");
            }
        } catch (IOException e) {
            // not JSON: pass it on untouched, usage simply is not counted
        }
        return false;
    }

    /**
     * Looks at a whole non-stream body.
     *
     * @param body the body
     */
    public void observeBody(byte[] body) {
        // a streaming parse that builds a tree of the usage object only (choices can be large)
        try (com.fasterxml.jackson.core.JsonParser p = mapper.getFactory().createParser(body)) {
            if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken v = p.nextToken();
                if ("usage".equals(name) && v == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    take(mapper.readTree(p));
                    return;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            // not JSON: usage simply is not counted
        }
    }

    private void take(JsonNode u) {
        long prompt = u.has("prompt_tokens") ? u.path("prompt_tokens").asLong() : u.path("input_tokens").asLong();
        long completion = u.has("completion_tokens") ? u.path("completion_tokens").asLong()
                : u.path("output_tokens").asLong();
        JsonNode details = u.has("prompt_tokens_details") ? u.path("prompt_tokens_details") : u.path("input_tokens_details");
        usage = new Usage(prompt, completion, details.path("cached_tokens").asLong());
        seen = true;
    }

    /** @return the usage seen (the last one), or {@link Usage#NONE} */
    public Usage usage() {
        return usage;
    }

    /** @return true when some usage was reported */
    public boolean seen() {
        return seen;
    }
}
