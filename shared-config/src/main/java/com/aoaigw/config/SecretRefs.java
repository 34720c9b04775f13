package com.aoaigw.config;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the secrets of a document: where each one sits (JSON path) and which are {@code env:NAME} references, so the
 * admin page can show which environment variables are used and whether they are set (never their values).
 */
public final class SecretRefs {
    private SecretRefs() {
    }

    /**
     * One {@code env:NAME} reference.
     *
     * @param path     JSON path of the field, e.g. {@code upstreams[0].auth.apiKey}
     * @param variable the environment variable name
     * @param set      true when the variable had a non-empty value when the document was loaded
     */
    public record SecretRef(String path, String variable, boolean set) {
    }

    /**
     * A secret field of a document with its JSON path.
     *
     * @param path   JSON path
     * @param secret the secret (possibly empty)
     */
    public record Located(String path, Secret secret) {
    }

    /**
     * @param config a document
     * @return every {@code env:NAME} reference in it, in document order
     */
    public static List<SecretRef> list(GatewayConfig config) {
        return all(config).stream()
                .filter(l -> l.secret().isReference())
                .map(l -> new SecretRef(l.path(), l.secret().referenceName(), !l.secret().isEmpty()))
                .toList();
    }

    /**
     * @param config a document
     * @return every secret field (set or not), in document order
     */
    public static List<Located> all(GatewayConfig config) {
        List<Located> out = new ArrayList<>();
        walk(config, "", out);
        return out;
    }

    private static void walk(Object value, String path, List<Located> out) {
        if (value == null) {
            return;
        }
        if (value instanceof Secret s) {
            out.add(new Located(path, s));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", out);
            }
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "[\"" + k + "\"]", out));
        } else if (value instanceof Record r) {
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    walk(c.getAccessor().invoke(r), path.isEmpty() ? c.getName() : path + "." + c.getName(), out);
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + c, e);
                }
            }
        }
    }
}
