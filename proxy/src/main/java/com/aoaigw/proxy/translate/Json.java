package com.aoaigw.proxy.translate;

import com.fasterxml.jackson.databind.JsonNode;
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

    /** Copies {@code field} from one object to another under a new name when present and not null. */
    static void copyAs(JsonNode from, String field, ObjectNode to, String target) {
        if (has(from, field)) {
            to.set(target, from.get(field).deepCopy());
        }
    }

    /** A number node's value as long, 0 when absent. */
    static long longAt(JsonNode node, String... path) {
        JsonNode current = node;
        for (String step : path) {
            if (current == null) {
                return 0;
            }
            current = current.get(step);
        }
        return current != null && current.isNumber() ? current.asLong() : 0;
    }
}
