package com.aoaigw.proxy.translate;

/**
 * The API a request body is written for: the client's route or the backend route (the route key of
 * {@code models[].routes} after resolution). Only chat completions and responses are translated and normalised.
 */
public enum ApiKind {
    /** {@code chat/completions}. */
    CHAT_COMPLETIONS,
    /** {@code responses}. */
    RESPONSES,
    /** Any other route (embeddings, images, ...): bodies pass unchanged. */
    OTHER;

    /**
     * The kind of a route key such as {@code chat/completions}, {@code responses} or {@code images/generations}.
     *
     * @param routeKey the route key, with or without a leading slash or {@code v1/}
     * @return the kind, {@link #OTHER} when it is neither chat nor responses
     */
    public static ApiKind fromRouteKey(String routeKey) {
        if (routeKey == null) {
            return OTHER;
        }
        String key = routeKey.strip().toLowerCase(java.util.Locale.ROOT);
        int query = key.indexOf('?');
        if (query >= 0) {
            key = key.substring(0, query);
        }
        if (key.endsWith("chat/completions")) {
            return CHAT_COMPLETIONS;
        }
        if (key.endsWith("responses")) {
            return RESPONSES;
        }
        return OTHER;
    }
}
