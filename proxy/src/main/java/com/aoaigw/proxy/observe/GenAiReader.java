package com.aoaigw.proxy.observe;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads the GenAI span attributes that are not already known (the request's output limit, the answer's model and
 * finish reasons) from the bodies and stream events, only while a request is traced. Never keeps any text.
 */
public final class GenAiReader {
    private final ObjectMapper mapper;
    private long maxTokens;
    private String responseModel;
    private final List<String> finishReasons = new ArrayList<>(1);

    /** @param mapper the JSON mapper */
    public GenAiReader(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Reads {@code max_tokens} / {@code max_completion_tokens} / {@code max_output_tokens} from the top level of a
     * request body with a streaming parser (nothing else is materialised).
     *
     * @param body the client's request body
     */
    public void request(byte[] body) {
        try (JsonParser p = mapper.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (v == JsonToken.VALUE_NUMBER_INT && (name.equals("max_tokens")
                        || name.equals("max_completion_tokens") || name.equals("max_output_tokens"))) {
                    maxTokens = p.getLongValue();
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not this reader's business: the request path reports bad JSON
        }
    }

    /**
     * Reads a whole (non-stream) answer.
     *
     * @param body the answer body
     */
    public void answer(byte[] body) {
        try {
            take(mapper.readTree(body));
        } catch (IOException | RuntimeException e) {
            // an answer that is not JSON has no GenAI details
        }
    }

    /**
     * Reads a stream event's data when it can hold a model or a finish reason.
     *
     * @param data the event's data
     */
    public void event(String data) {
        if (data == null || data.isEmpty() || data.charAt(0) != '{') {
            return;
        }
        boolean chatEnd = data.contains("\"finish_reason\":\"") || data.contains("\"finish_reason\": \"");
        boolean responsesEnd = data.contains("\"response.completed\"") || data.contains("\"response.incomplete\"")
                || data.contains("\"response.failed\"");
        if (!chatEnd && !responsesEnd && (responseModel != null || !data.contains("\"model\""))) {
            return;
        }
        try {
            JsonNode n = mapper.readTree(data);
            take(n.has("response") ? n.get("response") : n);
        } catch (IOException | RuntimeException e) {
            // not JSON: nothing to read
        }
    }

    private void take(JsonNode n) {
        if (n.path("model").isTextual()) {
            responseModel = n.get("model").textValue();
        }
        for (JsonNode c : n.path("choices")) {
            JsonNode f = c.path("finish_reason");
            if (f.isTextual() && !finishReasons.contains(f.textValue())) {
                finishReasons.add(f.textValue());
            }
        }
        String status = n.path("status").asText("");
        if (n.path("object").asText("").equals("response") && !status.isEmpty() && !status.equals("in_progress")) {
            String reason = switch (status) {
                case "completed" -> "stop";
                case "incomplete" -> n.path("incomplete_details").path("reason").asText("incomplete");
                default -> status;
            };
            if (!finishReasons.contains(reason)) {
                finishReasons.add(reason);
            }
        }
    }

    /** @return what was read, for the span */
    public ExchangeLog.GenAiDetails details() {
        return new ExchangeLog.GenAiDetails(responseModel, maxTokens, List.copyOf(finishReasons));
    }
}
