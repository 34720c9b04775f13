package com.aoaigw.config;

import java.util.List;
import java.util.Map;

/** Null-to-default helpers for the records' compact constructors (a missing or null JSON value means the default). */
final class Defaults {
    private Defaults() {
    }

    static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    static String str(String value, String fallback) {
        return value == null ? fallback : value;
    }

    static <T> List<T> list(List<T> value) {
        return value == null ? List.of() : List.copyOf(value);
    }

    static <K, V> Map<K, V> map(Map<K, V> value) {
        return value == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(value));
    }

    static Secret secret(Secret value) {
        return value == null ? Secret.empty() : value;
    }
}
