package com.aoaigw.proxy.admin;

import java.time.Instant;

/**
 * What the admin statistics need to know about one finished client request.
 *
 * @param at               when it finished
 * @param model            the public model id ({@code -} when unknown)
 * @param keyId            the client key id ({@code -} when none)
 * @param upstream         the upstream name ({@code -} when the request never reached one)
 * @param status           the HTTP status sent to the client
 * @param errorCode        the error code for a failure (e.g. {@code rate_limited}), or null
 * @param promptTokens     prompt tokens
 * @param completionTokens completion tokens
 * @param cachedTokens     cached prompt tokens
 * @param latencyMs        time to the last byte
 * @param ttftMs           time to the first byte (first SSE event for streams), or -1 when unknown
 */
public record RequestRecord(Instant at, String model, String keyId, String upstream, int status, String errorCode,
                            long promptTokens, long completionTokens, long cachedTokens, long latencyMs, long ttftMs) {
    /** Replaces missing names with {@code -}. */
    public RequestRecord {
        model = model == null || model.isBlank() ? "-" : model;
        keyId = keyId == null || keyId.isBlank() ? "-" : keyId;
        upstream = upstream == null || upstream.isBlank() ? "-" : upstream;
    }

    /** @return true for a status of 400 or more */
    public boolean failed() {
        return status >= 400;
    }
}
