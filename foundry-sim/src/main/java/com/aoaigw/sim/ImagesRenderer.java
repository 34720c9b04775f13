package com.aoaigw.sim;

import java.util.Base64;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Renders image generations: {@code n} copies of a 1x1 PNG, as {@code b64_json} or as a URL served by the sim. */
final class ImagesRenderer {
    /** A valid 1x1 transparent PNG. */
    static final String PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
    static final String IMAGE_PATH = "/_sim/image.png";

    private final ObjectMapper mapper;

    ImagesRenderer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    static byte[] png() {
        return Base64.getDecoder().decode(PNG_BASE64);
    }

    byte[] images(JsonNode body, long created, String origin) {
        int n = Math.clamp(body.path("n").asInt(1), 1, 10);
        boolean url = body.path("response_format").asText("b64_json").equals("url");
        ObjectNode root = mapper.createObjectNode();
        root.put("created", created);
        ArrayNode data = root.putArray("data");
        for (int i = 0; i < n; i++) {
            ObjectNode item = data.addObject();
            if (url) {
                item.put("url", origin + IMAGE_PATH);
            } else {
                item.put("b64_json", PNG_BASE64);
            }
            item.put("revised_prompt", body.path("prompt").asText(""));
        }
        ObjectNode usage = root.putObject("usage");
        usage.put("input_tokens", Math.max(1, CompletionPlanner.countWords(body.path("prompt").asText(""))));
        usage.put("output_tokens", n);
        usage.put("total_tokens", usage.get("input_tokens").asInt() + n);
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
