package com.aoaigw.proxy.route;

import java.util.Optional;

/** The API operations the proxy forwards, named by the original's route keys. */
public enum RouteKey {
    /** Chat Completions. */
    CHAT("chat/completions"),
    /** Responses. */
    RESPONSES("responses"),
    /** Embeddings. */
    EMBEDDINGS("embeddings"),
    /** Image generation. */
    IMAGES("images/generations");

    private final String key;

    RouteKey(String key) {
        this.key = key;
    }

    /** @return the route key as written in config ({@code chat/completions}, ...) */
    public String key() {
        return key;
    }

    /**
     * @param key a route key from config
     * @return the matching route
     */
    public static Optional<RouteKey> parse(String key) {
        for (RouteKey r : values()) {
            if (r.key.equals(key)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** @return true for chat and responses, the two routes that stream and may be translated into each other */
    public boolean conversational() {
        return this == CHAT || this == RESPONSES;
    }
}
