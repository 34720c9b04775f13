package com.aoaigw.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Walks a JSON tree against the config record classes in one pass and reports every unknown key and every value of
 * the wrong JSON type, each with its JSON path. It removes what it reported from the tree, so the rest of the document
 * can still be bound and validated and the operator sees all problems at once.
 *
 * <p>{@code null} is accepted for every record field (it means the default, as in the original); it is refused as a
 * list element or a map value, where no default exists.
 */
final class JsonShapeChecker {
    private final List<ConfigProblem> problems = new ArrayList<>();

    /**
     * Checks and cleans {@code root} in place.
     *
     * @param root the document (an object)
     * @return the problems found, in document order
     */
    List<ConfigProblem> check(ObjectNode root) {
        problems.clear();
        checkRecord(root, GatewayConfig.class, "");
        return List.copyOf(problems);
    }

    private void checkRecord(ObjectNode node, Class<?> type, String path) {
        RecordComponent[] components = type.getRecordComponents();
        List<String> known = new ArrayList<>();
        for (RecordComponent c : components) {
            known.add(c.getName());
        }
        Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
        List<String> remove = new ArrayList<>();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String fieldPath = join(path, field.getKey());
            RecordComponent component = null;
            for (RecordComponent c : components) {
                if (c.getName().equals(field.getKey())) {
                    component = c;
                }
            }
            if (component == null) {
                problems.add(ConfigProblem.error(fieldPath, unknownKeyMessage(field.getKey(), known)));
                remove.add(field.getKey());
                continue;
            }
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue;
            }
            if (!checkValue(value, component.getGenericType(), fieldPath)) {
                remove.add(field.getKey());
            }
        }
        remove.forEach(node::remove);
    }

    /** @return false when the value has the wrong type and must be removed by the caller */
    private boolean checkValue(JsonNode value, Type type, String path) {
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            if (List.class.isAssignableFrom(raw)) {
                if (!value.isArray()) {
                    problems.add(typeError(path, "an array", value));
                    return false;
                }
                Type element = pt.getActualTypeArguments()[0];
                ArrayNode array = (ArrayNode) value;
                List<Integer> remove = new ArrayList<>();
                for (int i = 0; i < array.size(); i++) {
                    JsonNode item = array.get(i);
                    String itemPath = path + "[" + i + "]";
                    if (item.isNull()) {
                        problems.add(ConfigProblem.error(itemPath, "expected " + describe(element)
                                + ", got null; remove the null entry"));
                        remove.add(i);
                    } else if (!checkValue(item, element, itemPath)) {
                        remove.add(i);
                    }
                }
                for (int i = remove.size() - 1; i >= 0; i--) {
                    array.remove(remove.get(i).intValue());
                }
                return true;
            }
            if (Map.class.isAssignableFrom(raw)) {
                if (!value.isObject()) {
                    problems.add(typeError(path, "an object", value));
                    return false;
                }
                Type element = pt.getActualTypeArguments()[1];
                ObjectNode object = (ObjectNode) value;
                List<String> remove = new ArrayList<>();
                object.fields().forEachRemaining(e -> {
                    String entryPath = path + "[\"" + e.getKey() + "\"]";
                    boolean ok;
                    if (e.getValue().isNull()) {
                        problems.add(ConfigProblem.error(entryPath, "expected " + describe(element)
                                + ", got null; remove the entry"));
                        ok = false;
                    } else {
                        ok = checkValue(e.getValue(), element, entryPath);
                    }
                    if (!ok) {
                        remove.add(e.getKey());
                    }
                });
                remove.forEach(object::remove);
                return true;
            }
            throw new IllegalStateException("unsupported config type " + type);
        }
        Class<?> cls = (Class<?>) type;
        if (cls.isRecord()) {
            if (!value.isObject()) {
                problems.add(typeError(path, "an object", value));
                return false;
            }
            checkRecord((ObjectNode) value, cls, path);
            return true;
        }
        if (cls == String.class || cls == Secret.class) {
            if (!value.isTextual()) {
                problems.add(typeError(path, "a string", value));
                return false;
            }
            return true;
        }
        if (cls == ApiStyle.class) {
            if (!value.isTextual()) {
                problems.add(typeError(path, "a string", value));
                return false;
            }
            if (ApiStyle.parse(value.asText()).isEmpty()) {
                problems.add(ConfigProblem.error(path, "is '" + value.asText() + "'; " + ApiStyle.HINT));
                return false;
            }
            return true;
        }
        if (cls == Integer.class || cls == int.class) {
            if (!value.isIntegralNumber()) {
                problems.add(typeError(path, "an integer", value));
                return false;
            }
            if (!value.canConvertToInt()) {
                problems.add(ConfigProblem.error(path, "the value " + value + " is out of range for a 32-bit integer"));
                return false;
            }
            return true;
        }
        if (cls == Long.class || cls == long.class) {
            if (!value.isIntegralNumber()) {
                problems.add(typeError(path, "an integer", value));
                return false;
            }
            if (!value.canConvertToLong()) {
                problems.add(ConfigProblem.error(path, "the value " + value + " is out of range for a 64-bit integer"));
                return false;
            }
            return true;
        }
        if (cls == Double.class || cls == double.class) {
            if (!value.isNumber()) {
                problems.add(typeError(path, "a number", value));
                return false;
            }
            return true;
        }
        if (cls == Boolean.class || cls == boolean.class) {
            if (!value.isBoolean()) {
                problems.add(typeError(path, "true or false", value));
                return false;
            }
            return true;
        }
        throw new IllegalStateException("unsupported config type " + type);
    }

    private static String describe(Type type) {
        if (type instanceof Class<?> cls) {
            if (cls.isRecord()) {
                return "an object";
            }
            if (cls == Integer.class || cls == Long.class) {
                return "an integer";
            }
            if (cls == Double.class) {
                return "a number";
            }
            if (cls == Boolean.class) {
                return "true or false";
            }
            return "a string";
        }
        return "a value";
    }

    private static ConfigProblem typeError(String path, String expected, JsonNode value) {
        String fix = "";
        if (value.isTextual()) {
            String text = value.asText().trim();
            if (expected.equals("an integer") && text.matches("-?\\d+")
                    || expected.equals("a number") && text.matches("-?\\d+(\\.\\d+)?")
                    || expected.equals("true or false") && (text.equals("true") || text.equals("false"))) {
                fix = "; remove the quotes";
            }
        }
        return ConfigProblem.error(path, "expected " + expected + ", got " + kind(value) + " " + shortText(value) + fix);
    }

    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> "the string";
            case NUMBER -> "the number";
            case BOOLEAN -> "the boolean";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> "the value";
        };
    }

    private static String shortText(JsonNode value) {
        if (value.isContainerNode()) {
            return value.size() == 0 ? (value.isArray() ? "[]" : "{}") : (value.isArray() ? "[...]" : "{...}");
        }
        String s = value.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    static String unknownKeyMessage(String key, List<String> known) {
        String suggestion = Suggestions.closest(key, known);
        if (suggestion != null) {
            return "unknown key '" + key + "'; did you mean '" + suggestion + "'?";
        }
        return "unknown key '" + key + "'; remove it (known keys here: " + String.join(", ", known) + ")";
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
