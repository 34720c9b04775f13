package com.aoaigw.sim;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Makes up the arguments of a simulated tool call that satisfy the tool's JSON schema, so that agent frameworks
 * which validate arguments (the OpenAI Agents SDK with zod, strict function calling) accept them.
 *
 * <p>Every declared property is given a value (required or not: strict mode requires them all): {@code const},
 * then the first {@code enum} value, then by {@code type} (the first non-null one of a list): a string (the
 * location the user named for a property whose name suggests a place, else a short word; {@code date},
 * {@code date-time}, {@code email}, {@code uri} and {@code uuid} formats honoured; {@code minLength} padded), a
 * number or integer within {@code minimum}/{@code maximum}, {@code true}, an array of {@code minItems} (at least
 * one) items, or an object by the same rules. {@code anyOf}/{@code oneOf} take their first branch, {@code allOf}
 * is merged, and local {@code $ref}s ({@code #/$defs/...}, {@code #/definitions/...}) are followed to a bounded
 * depth. Deterministic: the same schema and text give the same arguments.
 */
final class ToolArguments {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int MAX_DEPTH = 8;

    private ToolArguments() {
    }

    /**
     * @param parameters the tool's {@code parameters} schema, or null / missing for none
     * @param location   the place the user's text names (e.g. "Paris")
     * @return the arguments as a JSON object
     */
    static ObjectNode of(JsonNode parameters, String location) {
        if (parameters == null || parameters.isMissingNode() || parameters.isNull() || !parameters.isObject()
                || (!parameters.has("properties") && !parameters.has("$ref") && !parameters.has("anyOf")
                && !parameters.has("allOf") && !parameters.has("oneOf"))) {
            ObjectNode legacy = JSON.objectNode();
            legacy.put("location", location); // a tool without a schema: the classic weather example
            return legacy;
        }
        JsonNode v = value(parameters, parameters, "arguments", location, 0);
        return v instanceof ObjectNode o ? o : JSON.objectNode();
    }

    private static JsonNode value(JsonNode schema, JsonNode root, String name, String location, int depth) {
        schema = resolve(schema, root);
        if (depth > MAX_DEPTH || schema == null || !schema.isObject()) {
            return JSON.nullNode();
        }
        if (schema.has("const")) {
            return schema.get("const");
        }
        JsonNode en = schema.get("enum");
        if (en instanceof ArrayNode a && !a.isEmpty()) {
            return a.get(0);
        }
        for (String branch : new String[] {"anyOf", "oneOf"}) {
            JsonNode b = schema.get(branch);
            if (b instanceof ArrayNode a && !a.isEmpty()) {
                for (JsonNode option : a) {
                    JsonNode r = resolve(option, root);
                    if (r != null && !"null".equals(r.path("type").asText(""))) {
                        return value(option, root, name, location, depth + 1);
                    }
                }
                return JSON.nullNode();
            }
        }
        if (schema.get("allOf") instanceof ArrayNode all && !all.isEmpty()) {
            ObjectNode merged = JSON.objectNode();
            ObjectNode props = merged.putObject("properties");
            for (JsonNode part : all) {
                JsonNode r = resolve(part, root);
                if (r != null && r.isObject()) {
                    r.fields().forEachRemaining(f -> {
                        if (f.getKey().equals("properties")) {
                            props.setAll((ObjectNode) f.getValue());
                        } else if (!merged.has(f.getKey())) {
                            merged.set(f.getKey(), f.getValue());
                        }
                    });
                }
            }
            schema.fields().forEachRemaining(f -> {
                if (!f.getKey().equals("allOf") && !merged.has(f.getKey())) {
                    merged.set(f.getKey(), f.getValue());
                }
            });
            if (!merged.has("type")) {
                merged.put("type", "object");
            }
            return value(merged, root, name, location, depth + 1);
        }
        String type = type(schema);
        return switch (type) {
            case "object" -> object(schema, root, location, depth);
            case "array" -> array(schema, root, name, location, depth);
            case "integer" -> JSON.numberNode((long) Math.ceil(number(schema, true)));
            case "number" -> JSON.numberNode(number(schema, false));
            case "boolean" -> JSON.booleanNode(true);
            case "null" -> JSON.nullNode();
            default -> JSON.textNode(string(schema, name, location));
        };
    }

    private static String type(JsonNode schema) {
        JsonNode t = schema.get("type");
        if (t != null && t.isTextual()) {
            return t.asText();
        }
        if (t instanceof ArrayNode a) {
            for (JsonNode x : a) {
                if (!"null".equals(x.asText())) {
                    return x.asText();
                }
            }
            return "null";
        }
        if (schema.has("properties")) {
            return "object";
        }
        if (schema.has("items")) {
            return "array";
        }
        return "string";
    }

    private static ObjectNode object(JsonNode schema, JsonNode root, String location, int depth) {
        ObjectNode out = JSON.objectNode();
        JsonNode props = schema.path("properties");
        Iterator<Map.Entry<String, JsonNode>> it = props.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> p = it.next();
            out.set(p.getKey(), value(p.getValue(), root, p.getKey(), location, depth + 1));
        }
        // a required name without a declared schema still gets a value
        for (JsonNode req : schema.path("required")) {
            if (!out.has(req.asText())) {
                out.put(req.asText(), string(JSON.objectNode(), req.asText(), location));
            }
        }
        return out;
    }

    private static ArrayNode array(JsonNode schema, JsonNode root, String name, String location, int depth) {
        ArrayNode out = JSON.arrayNode();
        int n = Math.max(1, schema.path("minItems").asInt(1));
        JsonNode items = schema.get("items");
        for (int i = 0; i < n; i++) {
            if (items instanceof ArrayNode tuple) {
                for (JsonNode t : tuple) {
                    out.add(value(t, root, name, location, depth + 1));
                }
                break;
            }
            out.add(items == null ? JSON.textNode(string(JSON.objectNode(), name, location))
                    : value(items, root, name, location, depth + 1));
        }
        return out;
    }

    private static double number(JsonNode schema, boolean integer) {
        double v = 1;
        if (schema.has("minimum")) {
            v = Math.max(v, schema.get("minimum").asDouble());
        }
        if (schema.has("exclusiveMinimum") && schema.get("exclusiveMinimum").isNumber()) {
            double m = schema.get("exclusiveMinimum").asDouble();
            v = Math.max(v, integer ? Math.floor(m) + 1 : m + 0.5);
        }
        if (schema.has("maximum")) {
            v = Math.min(v, schema.get("maximum").asDouble());
        }
        if (schema.has("exclusiveMaximum") && schema.get("exclusiveMaximum").isNumber()) {
            double m = schema.get("exclusiveMaximum").asDouble();
            v = Math.min(v, integer ? Math.ceil(m) - 1 : m - 0.5);
        }
        if (schema.has("multipleOf") && schema.get("multipleOf").asDouble() > 0) {
            double step = schema.get("multipleOf").asDouble();
            v = Math.ceil(v / step) * step;
        }
        return integer ? Math.ceil(v) : v;
    }

    private static String string(JsonNode schema, String name, String location) {
        String format = schema.path("format").asText("");
        String s = switch (format) {
            case "date" -> "2026-01-15";
            case "date-time" -> "2026-01-15T12:00:00Z";
            case "time" -> "12:00:00";
            case "email" -> "someone@example.com";
            case "uri", "url" -> "https://example.com/";
            case "uuid" -> "3f2c1b9e-8d4a-4c6b-9e1f-2a7d5c3b8e10";
            default -> {
                String n = name.toLowerCase(Locale.ROOT);
                yield n.contains("city") || n.contains("location") || n.contains("place") || n.contains("town")
                        || n.contains("where") || n.contains("country") || n.contains("region")
                        ? location : "sample";
            }
        };
        int min = schema.path("minLength").asInt(0);
        StringBuilder b = new StringBuilder(s);
        while (b.length() < min) {
            b.append('x');
        }
        int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
        return b.length() > max ? b.substring(0, Math.max(0, max)) : b.toString();
    }

    private static JsonNode resolve(JsonNode schema, JsonNode root) {
        for (int i = 0; schema != null && schema.has("$ref") && i < MAX_DEPTH; i++) {
            String ref = schema.get("$ref").asText("");
            if (!ref.startsWith("#")) {
                return JSON.objectNode(); // remote references are not followed: any string will do
            }
            JsonNode target = root.at(ref.substring(1));
            schema = target.isMissingNode() ? JSON.objectNode() : target;
        }
        return schema;
    }
}
