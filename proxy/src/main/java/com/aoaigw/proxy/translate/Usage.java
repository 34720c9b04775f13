package com.aoaigw.proxy.translate;

/**
 * Token usage of one request in neutral terms, the only usage type of the proxy: what the metering reads from
 * an upstream answer (for the access log, metrics, stats and the limits' charge) and what a translator carries
 * from one API's usage shape to the other's. {@link UsageMapper} reads and writes the two shapes.
 *
 * @param promptTokens     prompt (input) tokens
 * @param completionTokens completion (output) tokens
 * @param cachedTokens     cached prompt tokens
 * @param reasoningTokens  reasoning tokens (part of the completion)
 */
public record Usage(long promptTokens, long completionTokens, long cachedTokens, long reasoningTokens) {
    /** No usage reported. */
    public static final Usage NONE = new Usage(0, 0, 0, 0);

    /**
     * Usage without a reasoning count.
     *
     * @param promptTokens     prompt (input) tokens
     * @param completionTokens completion (output) tokens
     * @param cachedTokens     cached prompt tokens
     */
    public Usage(long promptTokens, long completionTokens, long cachedTokens) {
        this(promptTokens, completionTokens, cachedTokens, 0);
    }

    /** @return prompt + completion */
    public long total() {
        return promptTokens + completionTokens;
    }
}
