package com.aoaigw.proxy.usage;

/**
 * The dimensions one usage cell is kept for; {@code -} stands for "none" (a request that never reached an upstream,
 * a key-less request). Every value is a configured name or a fixed label, so the set stays bounded.
 *
 * @param model      the public model id
 * @param key        the client key id
 * @param upstream   the upstream name
 * @param deployment the deployment name
 */
public record Dims(String model, String key, String upstream, String deployment) {
    /** The longest name kept; configured names are far shorter. */
    static final int MAX = 128;

    /** Replaces missing names with {@code -} and caps lengths. */
    public Dims {
        model = clean(model);
        key = clean(key);
        upstream = clean(upstream);
        deployment = clean(deployment);
    }

    private static String clean(String s) {
        if (s == null || s.isBlank()) {
            return "-";
        }
        return s.length() > MAX ? s.substring(0, MAX) : s;
    }

    /**
     * @param by a dimension
     * @return this cell's name in it
     */
    public String get(Dimension by) {
        return switch (by) {
            case MODEL -> model;
            case KEY -> key;
            case UPSTREAM -> upstream;
            case DEPLOYMENT -> deployment;
        };
    }

    /** A dimension the API groups by. */
    public enum Dimension {
        /** Public model id. */
        MODEL,
        /** Client key id. */
        KEY,
        /** Upstream name. */
        UPSTREAM,
        /** Deployment name. */
        DEPLOYMENT;

        /**
         * @param s {@code model}, {@code key}, {@code upstream} or {@code deployment}
         * @return the dimension, or null when unknown
         */
        public static Dimension parse(String s) {
            return switch (s) {
                case "model" -> MODEL;
                case "key" -> KEY;
                case "upstream" -> UPSTREAM;
                case "deployment" -> DEPLOYMENT;
                default -> null;
            };
        }

        /** @return the name the API uses */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
