package com.aoaigw.proxy.upstream;

/**
 * Token usage of one request, as reported by the upstream.
 *
 * @param promptTokens     prompt (input) tokens
 * @param completionTokens completion (output) tokens
 * @param cachedTokens     cached prompt tokens
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens) {
    /** No usage reported. */
    public static final Usage NONE = new Usage(0, 0, 0);
}
