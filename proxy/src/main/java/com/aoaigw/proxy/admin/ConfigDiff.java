package com.aoaigw.proxy.admin;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.aoaigw.config.Secret;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The difference between two config documents as a list of changed leaf paths ({@code a.b[0].c}), with old and
 * new values; secret values are shown as the mask (a changed secret is listed, its values are not).
 */
public final class ConfigDiff {
    private ConfigDiff() {
    }

    /**
     * One changed path.
     *
     * @param path     flattened JSON path
     * @param kind     {@code added}, {@code removed} or {@code changed}
     * @param oldValue the old value (null when added)
     * @param newValue the new value (null when removed)
     */
    public record Change(String path, String kind, JsonNode oldValue, JsonNode newValue) {
    }

    /**
     * @param before the current document (unmasked)
     * @param after  the candidate (unmasked)
     * @return every changed leaf, in document order
     */
    public static List<Change> diff(JsonNode before, JsonNode after) {
        Map<String, JsonNode> a = flatten(before);
        Map<String, JsonNode> b = flatten(after);
        Set<String> paths = new LinkedHashSet<>(a.keySet());
        paths.addAll(b.keySet());
        List<Change> out = new ArrayList<>();
        for (String p : paths) {
            JsonNode o = a.get(p);
            JsonNode n = b.get(p);
            if (o != null && o.equals(n)) {
                continue;
            }
            String kind = o == null ? "added" : n == null ? "removed" : "changed";
            out.add(new Change(p, kind, masked(p, o), masked(p, n)));
        }
        return out;
    }

    /**
     * @param doc a document
     * @return its leaves by flattened path (empty objects and arrays count as leaves)
     */
    public static Map<String, JsonNode> flatten(JsonNode doc) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        flatten(doc, "", out);
        return out;
    }

    private static void flatten(JsonNode node, String path, Map<String, JsonNode> out) {
        if (node == null) {
            return;
        }
        if (node.isObject() && !node.isEmpty()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
            }
        } else if (node.isArray() && !node.isEmpty()) {
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), path + "[" + i + "]", out);
            }
        } else {
            out.put(path.isEmpty() ? "$" : path, node);
        }
    }

    private static JsonNode masked(String path, JsonNode value) {
        if (value == null || !value.isTextual() || !SecretMasker.secretPath(path)) {
            return value;
        }
        String s = value.asText();
        if (s.isEmpty() || (s.startsWith("env:") && s.length() > 4)) {
            return value;
        }
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(Secret.MASK);
    }
}
