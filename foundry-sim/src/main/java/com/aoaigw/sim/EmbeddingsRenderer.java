package com.aoaigw.sim;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Renders embeddings: one deterministic vector per input (derived from the input's hash), {@code dimensions} floats
 * long (default {@value #DEFAULT_DIMENSIONS}), as floats or base64 little-endian float32 ({@code encoding_format}).
 */
final class EmbeddingsRenderer {
    static final int DEFAULT_DIMENSIONS = 8;
    static final int MAX_DIMENSIONS = 4096;

    private final ObjectMapper mapper;

    EmbeddingsRenderer(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    byte[] embeddings(JsonNode body, String deployment) {
        List<String> inputs = new ArrayList<>();
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            inputs.add(input.asText());
        } else if (input.isArray()) {
            boolean tokenArray = !input.isEmpty() && input.get(0).isNumber();
            if (tokenArray) {
                inputs.add(input.toString());
            } else {
                for (JsonNode i : input) {
                    inputs.add(i.isTextual() ? i.asText() : i.toString());
                }
            }
        }
        int dims = Math.clamp(body.path("dimensions").asInt(DEFAULT_DIMENSIONS), 1, MAX_DIMENSIONS);
        boolean base64 = body.path("encoding_format").asText("float").equals("base64");
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            float[] v = vector(inputs.get(i), dims);
            tokens += Math.max(1, CompletionPlanner.countWords(inputs.get(i)));
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            if (base64) {
                ByteBuffer buf = ByteBuffer.allocate(dims * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    buf.putFloat(f);
                }
                item.put("embedding", Base64.getEncoder().encodeToString(buf.array()));
            } else {
                ArrayNode arr = item.putArray("embedding");
                for (float f : v) {
                    arr.add(f);
                }
            }
        }
        root.put("model", deployment);
        ObjectNode usage = root.putObject("usage");
        usage.put("prompt_tokens", tokens);
        usage.put("total_tokens", tokens);
        try {
            return mapper.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /** A unit-length vector derived from the text, so equal inputs give equal vectors. */
    static float[] vector(String text, int dims) {
        long seed = 1125899906842597L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            seed = 31 * seed + b;
        }
        float[] v = new float[dims];
        double norm = 0;
        long x = seed;
        for (int i = 0; i < dims; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            v[i] = (float) (((x >>> 11) * 0x1.0p-53) * 2 - 1);
            norm += v[i] * v[i];
        }
        float scale = norm == 0 ? 1 : (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < dims; i++) {
            v[i] *= scale;
        }
        return v;
    }
}
