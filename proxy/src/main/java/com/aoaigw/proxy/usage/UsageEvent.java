package com.aoaigw.proxy.usage;

/**
 * What the usage history needs to know about one finished client request.
 *
 * @param atMillis         when it finished (epoch ms)
 * @param model            the public model id, or null
 * @param keyId            the client key's id (never its secret), or null
 * @param upstream         the upstream name, or null when no upstream was reached
 * @param deployment       the deployment name, or null
 * @param status           the HTTP status sent to the client
 * @param errorCode        the error code of a failure, or null
 * @param promptTokens     prompt tokens (cached included)
 * @param cachedTokens     the cached part of the prompt
 * @param completionTokens completion tokens (reasoning included)
 * @param reasoningTokens  the reasoning part of the completion
 * @param costNanos        the cost in billionths of the currency unit, or -1 when the model has no pricing
 * @param latencyMs        time to the last byte
 * @param ttftMs           time to the first byte or event, or -1 when unknown
 */
public record UsageEvent(long atMillis, String model, String keyId, String upstream, String deployment, int status,
                         String errorCode, long promptTokens, long cachedTokens, long completionTokens,
                         long reasoningTokens, long costNanos, long latencyMs, long ttftMs) {
    /** @return true for a status of 400 or more */
    public boolean failed() {
        return status >= 400;
    }
}
