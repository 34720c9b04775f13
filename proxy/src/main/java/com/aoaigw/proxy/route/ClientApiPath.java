package com.aoaigw.proxy.route;

/**
 * The one answer to "is this a client API path": the OpenAI-compatible API lives under {@code /v1} and
 * {@code /openai}, the bare prefixes included (a bare {@code /openai} is a client API call that needs a key and is
 * then unknown, not an anonymous 404). The client auth filter, tracing, the metrics and the admin statistics all ask
 * here, so they cannot disagree.
 */
public final class ClientApiPath {
    private ClientApiPath() {
    }

    /**
     * @param path a request path (no query), or null
     * @return true when it belongs to the client API: {@code /v1}, {@code /v1/...}, {@code /openai}, {@code /openai/...}
     */
    public static boolean matches(String path) {
        return path != null && (under(path, "/v1") || under(path, "/openai"));
    }

    private static boolean under(String path, String prefix) {
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
}
