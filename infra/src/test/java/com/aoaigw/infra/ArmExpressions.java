package com.aoaigw.infra;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A small evaluator of ARM template expressions ({@code [createObject('a', parameters('b'))]}), enough to render what
 * the gateway templates compute (the seeded config, the site name) without Azure: string, object and array functions,
 * {@code parameters()}, {@code variables()}, {@code if()}, {@code empty()}, {@code format()}, {@code string()},
 * {@code uniqueString()} (a stand-in hash, not Azure's), {@code resourceGroup()}, {@code resourceId()} (a text id), and
 * {@code reference(...)} answered by the given function. An unknown function fails the test.
 */
final class ArmExpressions {
    private final JsonNode template;
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final Function<String, Map<String, Object>> reference;
    private final Map<String, Object> resourceGroup;

    /**
     * @param template  the ARM template
     * @param given     parameter values given at deployment; the others take their evaluated defaults
     * @param reference answers {@code reference(resourceId, apiVersion)} with the resource's properties
     */
    ArmExpressions(JsonNode template, Map<String, Object> given, Function<String, Map<String, Object>> reference) {
        this.template = template;
        this.reference = reference;
        this.resourceGroup = Map.of("id", "/subscriptions/sub/resourceGroups/rg-test", "name", "rg-test",
                "location", "westeurope");
        template.get("parameters").fields().forEachRemaining(e -> {
            if (given.containsKey(e.getKey())) {
                parameters.put(e.getKey(), given.get(e.getKey()));
            } else if (e.getValue().has("defaultValue")) {
                parameters.put(e.getKey(), value(e.getValue().get("defaultValue")));
            } else {
                throw new IllegalArgumentException("parameter " + e.getKey() + " has no default and was not given");
            }
        });
    }

    /** @return a JSON value of the template with its expressions evaluated (strings starting with '[') */
    Object value(JsonNode node) {
        if (node.isTextual()) {
            String s = node.asText();
            if (s.startsWith("[") && !s.startsWith("[[") && s.endsWith("]")) {
                return evaluate(s.substring(1, s.length() - 1));
            }
            return s;
        }
        if (node.isBoolean()) {
            return node.asBoolean();
        }
        if (node.isNumber()) {
            return node.asLong();
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>();
            node.forEach(n -> out.add(value(n)));
            return out;
        }
        if (node.isObject()) {
            Map<String, Object> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(e -> out.put(e.getKey(), value(e.getValue())));
            return out;
        }
        return null;
    }

    Object evaluate(String expression) {
        Parser p = new Parser(expression);
        Object v = p.expression();
        p.skipSpace();
        if (p.pos != expression.length()) {
            throw new IllegalArgumentException("trailing text at " + p.pos + " in " + expression);
        }
        return v;
    }

    private final class Parser {
        private final String text;
        private int pos;

        Parser(String text) {
            this.text = text;
        }

        Object expression() {
            skipSpace();
            Object v;
            char c = text.charAt(pos);
            if (c == '\'') {
                v = string();
            } else if (Character.isDigit(c) || c == '-') {
                int start = pos++;
                while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
                    pos++;
                }
                v = Long.valueOf(text.substring(start, pos));
            } else {
                String name = identifier();
                expect('(');
                List<Object> args = new ArrayList<>();
                skipSpace();
                if (text.charAt(pos) == ')') {
                    pos++;
                } else {
                    while (true) {
                        args.add(expression());
                        skipSpace();
                        char d = text.charAt(pos++);
                        if (d == ')') {
                            break;
                        }
                        if (d != ',') {
                            throw new IllegalArgumentException("expected , or ) at " + (pos - 1) + " in " + text);
                        }
                    }
                }
                v = call(name, args);
            }
            while (pos < text.length() && text.charAt(pos) == '.') {
                pos++;
                String member = identifier();
                if (!(v instanceof Map<?, ?> m) || !m.containsKey(member)) {
                    throw new IllegalArgumentException("no member " + member + " in " + v);
                }
                v = m.get(member);
            }
            return v;
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                char c = text.charAt(pos++);
                if (c == '\'') {
                    if (pos < text.length() && text.charAt(pos) == '\'') {
                        sb.append('\'');
                        pos++;
                        continue;
                    }
                    return sb.toString();
                }
                sb.append(c);
            }
        }

        private String identifier() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            if (start == pos) {
                throw new IllegalArgumentException("expected a name at " + pos + " in " + text);
            }
            return text.substring(start, pos);
        }

        private void expect(char c) {
            skipSpace();
            if (text.charAt(pos++) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + (pos - 1) + " in " + text);
            }
        }

        void skipSpace() {
            while (pos < text.length() && text.charAt(pos) == ' ') {
                pos++;
            }
        }
    }

    private Object call(String name, List<Object> a) {
        return switch (name) {
            case "parameters" -> {
                if (!parameters.containsKey((String) a.get(0))) {
                    throw new IllegalArgumentException("no parameter " + a.get(0));
                }
                yield parameters.get((String) a.get(0));
            }
            case "variables" -> {
                JsonNode v = template.at("/variables/" + a.get(0));
                if (v.isMissingNode()) {
                    throw new IllegalArgumentException("no variable " + a.get(0));
                }
                yield value(v);
            }
            case "createObject" -> {
                Map<String, Object> out = new LinkedHashMap<>();
                for (int i = 0; i < a.size(); i += 2) {
                    out.put((String) a.get(i), a.get(i + 1));
                }
                yield out;
            }
            case "createArray" -> new ArrayList<>(a);
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            case "null" -> null;
            case "not" -> !(Boolean) a.get(0);
            case "equals" -> java.util.Objects.equals(a.get(0), a.get(1));
            case "if" -> (Boolean) a.get(0) ? a.get(1) : a.get(2);
            case "empty" -> a.get(0) == null || (a.get(0) instanceof String s && s.isEmpty())
                    || (a.get(0) instanceof List<?> l && l.isEmpty()) || (a.get(0) instanceof Map<?, ?> m && m.isEmpty());
            case "format" -> {
                String f = (String) a.get(0);
                for (int i = 1; i < a.size(); i++) {
                    f = f.replace("{" + (i - 1) + "}", String.valueOf(a.get(i)));
                }
                yield f;
            }
            case "string" -> a.get(0) instanceof String s ? s : toJson(a.get(0));
            case "uniqueString" -> {
                try {
                    byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("|",
                            a.stream().map(String::valueOf).toList()).getBytes(StandardCharsets.UTF_8));
                    yield HexFormat.of().formatHex(d).substring(0, 13);
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            case "resourceGroup" -> resourceGroup;
            case "environment" -> Map.of("suffixes", Map.of("storage", "core.test.invalid", "acrLoginServer", ".azurecr.test"));
            case "resourceId" -> "/resourceId/" + String.join("/", a.stream().map(String::valueOf).toList());
            case "reference" -> reference.apply((String) a.get(0));
            default -> throw new IllegalArgumentException("ArmExpressions does not know " + name + "()");
        };
    }

    static String toJson(Object v) {
        try {
            return Repo.JSON.writeValueAsString(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
