package com.aoaigw.proxy.admin;

import java.util.ArrayList;
import java.util.List;

import com.aoaigw.config.Secret;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Masks the secrets of a config document for the admin API, and puts the stored values back when a saved document
 * still carries the mask (D3). An {@code env:NAME} reference is not a secret and is shown as is. Array items are
 * matched by their identity ({@code apiKeys[].id}, {@code upstreams[].name}), not by position, so reordering or
 * inserting items keeps each secret with its owner.
 */
public final class SecretMasker {
    /** Secret fields of objects, by the path of the object holding them; {@code []} means every array item. */
    private static final List<Field> FIELDS = List.of(
            new Field("server.adminAuth", "password", null),
            new Field("server.adminAuth", "passwordHash", null),
            new Field("auth", "clientSecret", null),
            new Field("auth", "apiKey", null),
            new Field("apiKeys[]", "key", "id"),
            new Field("upstreams[].auth", "clientSecret", "name"),
            new Field("upstreams[].auth", "apiKey", "name"));

    private SecretMasker() {
    }

    /**
     * @param doc a config document (changed in place)
     * @return the same document, with every secret value replaced by {@link Secret#MASK}
     */
    public static JsonNode mask(JsonNode doc) {
        for (Field f : FIELDS) {
            for (Holder h : holders(doc, f)) {
                JsonNode v = h.node().get(f.name());
                if (v != null && v.isTextual() && !v.asText().isEmpty() && !isReference(v.asText())) {
                    h.node().put(f.name(), Secret.MASK);
                }
            }
        }
        return doc;
    }

    /**
     * Replaces masks in a candidate with the values stored in the current document.
     *
     * @param candidate the document being saved (changed in place)
     * @param current   the stored document, unmasked
     * @return paths of masks that had no stored value to restore (an error for the caller)
     */
    public static List<String> unmask(JsonNode candidate, JsonNode current) {
        List<String> missing = new ArrayList<>();
        for (Field f : FIELDS) {
            for (Holder h : holders(candidate, f)) {
                JsonNode v = h.node().get(f.name());
                if (v == null || !v.isTextual() || !Secret.MASK.equals(v.asText())) {
                    continue;
                }
                if (!sameDestination(f, h, candidate, current)) {
                    // a stored secret never follows a changed endpoint: it must be entered again for the new one
                    missing.add(h.path() + "." + f.name());
                    continue;
                }
                JsonNode stored = find(current, f, h.identity(), h.path());
                if (stored != null && stored.isTextual()) {
                    h.node().put(f.name(), stored.asText());
                } else {
                    missing.add(h.path() + "." + f.name());
                }
            }
        }
        return missing;
    }

    /**
     * @param path a flattened path such as {@code apiKeys[2].key}
     * @return true when the field at that path holds a secret
     */
    public static boolean secretPath(String path) {
        String generic = path.replaceAll("\\[\\d+]", "[]");
        for (Field f : FIELDS) {
            if (generic.equals(f.holder() + "." + f.name())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a masked secret would still go where it went: an upstream's own secret only to the same
     * {@code baseUrl} origin (scheme, host, port) and {@code auth.authorityHost}; the shared {@code auth} secret only
     * to origins that upstreams without their own auth already used, and to the same authority host.
     */
    private static boolean sameDestination(Field f, Holder h, JsonNode candidate, JsonNode current) {
        if (f.holder().equals("upstreams[].auth")) {
            JsonNode now = upstream(candidate, h.identity());
            JsonNode before = upstream(current, h.identity());
            if (now != null && now.path("baseUrl").asText("").isBlank()) {
                return true; // no endpoint at all: the validator refuses the document
            }
            return now != null && before != null && origin(now.path("baseUrl").asText("")).equals(
                    origin(before.path("baseUrl").asText("")))
                    && now.path("auth").path("authorityHost").asText("").equals(
                    before.path("auth").path("authorityHost").asText(""));
        }
        if (f.holder().equals("auth")) {
            if (!candidate.path("auth").path("authorityHost").asText("").equals(
                    current == null ? "" : current.path("auth").path("authorityHost").asText(""))) {
                return false;
            }
            java.util.Set<String> known = sharedAuthOrigins(current);
            return known.containsAll(sharedAuthOrigins(candidate));
        }
        return true;
    }

    private static JsonNode upstream(JsonNode doc, String name) {
        if (doc == null || name == null) {
            return null;
        }
        for (JsonNode u : doc.path("upstreams")) {
            if (name.equals(u.path("name").asText(null))) {
                return u;
            }
        }
        return null;
    }

    /** Origins of the upstreams that use the shared {@code auth} (no {@code auth} object of their own). */
    private static java.util.Set<String> sharedAuthOrigins(JsonNode doc) {
        java.util.Set<String> out = new java.util.HashSet<>();
        if (doc == null) {
            return out;
        }
        for (JsonNode u : doc.path("upstreams")) {
            if (!u.path("auth").isObject() && !u.path("baseUrl").asText("").isBlank()) {
                out.add(origin(u.path("baseUrl").asText("")));
            }
        }
        return out;
    }

    /** {@code scheme://host:port}, lower case, default port filled in; the text itself when it is not a URL. */
    static String origin(String url) {
        try {
            java.net.URI u = java.net.URI.create(url.trim());
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            String host = u.getHost() == null ? "" : u.getHost().toLowerCase(java.util.Locale.ROOT);
            int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("http") ? 80 : scheme.equals("https") ? 443 : -1;
            return scheme + "://" + host + ":" + port;
        } catch (IllegalArgumentException e) {
            return url;
        }
    }

    private static boolean isReference(String s) {
        return s.startsWith("env:") && s.length() > 4;
    }

    private static JsonNode find(JsonNode current, Field f, String identity, String candidatePath) {
        for (Holder h : holders(current, f)) {
            if (identity != null ? identity.equals(h.identity()) : h.path().equals(candidatePath)) {
                return h.node().get(f.name());
            }
        }
        return null;
    }

    /** The objects at a field's holder path, with their path and the identity of the enclosing array item. */
    private static List<Holder> holders(JsonNode doc, Field f) {
        List<Holder> out = new ArrayList<>();
        walk(doc, f.holder().split("\\."), 0, "", null, f.identity(), out);
        return out;
    }

    private static void walk(JsonNode node, String[] steps, int i, String path, String identity, String idField,
                             List<Holder> out) {
        if (node == null || node.isNull()) {
            return;
        }
        if (i == steps.length) {
            if (node instanceof ObjectNode o) {
                out.add(new Holder(o, path, identity));
            }
            return;
        }
        String step = steps[i];
        boolean array = step.endsWith("[]");
        String name = array ? step.substring(0, step.length() - 2) : step;
        JsonNode child = node.get(name);
        String childPath = path.isEmpty() ? name : path + "." + name;
        if (!array) {
            walk(child, steps, i + 1, childPath, identity, idField, out);
        } else if (child instanceof ArrayNode items) {
            for (int k = 0; k < items.size(); k++) {
                JsonNode item = items.get(k);
                JsonNode id = idField == null ? null : item.get(idField);
                String itemId = id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : null;
                walk(item, steps, i + 1, childPath + "[" + k + "]", itemId, idField, out);
            }
        }
    }

    private record Field(String holder, String name, String identity) {
    }

    private record Holder(ObjectNode node, String path, String identity) {
    }
}
