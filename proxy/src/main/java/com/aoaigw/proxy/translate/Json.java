package com.aoaigw.proxy.translate;

import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Small stateless helpers over Jackson trees, shared by the rules and translators. */
final class Json {
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Json() {
    }

    /** Whether {@code node} has {@code field} with a value other than JSON {@code null}. */
    static boolean has(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && !value.isNull() && !value.isMissingNode();
    }

    /** The text of {@code field}, or {@code null} when absent, null or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /**
     * A stream event carrying a JSON body, serialised once, straight to the event's bytes.
     *
     * @param mapper the mapper (compact output: one line)
     * @param event  the event name, or null for an unnamed (chat) event
     * @param body   the payload
     * @return the event
     */
    static SseEvent event(ObjectMapper mapper, String event, JsonNode body) {
        try {
            return SseEvent.ofJson(event, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise a stream event", e);
        }
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    /** Copies {@code field} from one object to another when present (including an explicit null). */
    static void copy(JsonNode from, ObjectNode to, String field) {
        JsonNode value = from.get(field);
        if (value != null) {
            to.set(field, value.deepCopy());
        }
    }

    /**
     * Copies the fields that mean the same in both APIs ({@code same}, in that order), then every field the
     * translator neither copies nor handles, as the client wrote it (the backend judges fields the proxy does not
     * know).
     */
    static void copyUnhandled(JsonNode from, ObjectNode to, List<String> same, Set<String> handled) {
        for (String field : same) {
            copy(from, to, field);
        }
        from.properties().forEach(entry -> {
            if (!same.contains(entry.getKey()) && !handled.contains(entry.getKey())) {
                to.set(entry.getKey(), entry.getValue().deepCopy());
            }
        });
    }

    /** Copies {@code field} from one object to another under a new name when present and not null. */
    static void copyAs(JsonNode from, String field, ObjectNode to, String target) {
        if (has(from, field)) {
            to.set(target, from.get(field).deepCopy());
        }
    }
}
