package com.aoaigw.config;

import java.util.List;

/**
 * The {@code server.upstream} block: per-phase timeouts, retries and the connection pool towards Azure.
 * All durations are milliseconds.
 *
 * @param connectTimeoutMs   TCP and TLS connect only; default 10000
 * @param requestTimeoutMs   the whole exchange, first attempt to last byte; default 900000
 * @param firstByteTimeoutMs request sent to first response byte (the headers of a non-stream answer, the first
 *                           event of a stream); default 300000
 * @param idleTimeoutMs      longest gap between stream events; default 900000
 * @param maxRetries         retries before the first byte reached the client; default 0
 * @param retryBaseMs        exponential backoff base; default 800
 * @param retryMaxMs         backoff cap; default 8000
 * @param retryStatuses      upstream statuses that are retried (429 is always retried); default
 *                           408, 409, 425, 429, 500, 502, 503, 504; an empty list means the default
 * @param retryAfterMaxMs    the longest {@code retry-after} the proxy waits for itself; default 30000
 * @param streamUsage        ask Azure for usage on streaming chat requests that did not ask for it (and drop that
 *                           usage chunk before the client); default true
 * @param pool               the shared connection pool
 * @param maxAttempts        upper bound on upstream attempts of one request across all deployments of its pool
 *                           (failovers and retries together); 0 (the default) means the number of deployments in
 *                           the pool + {@code maxRetries}
 * @param failoverOnTimeout  whether a first-byte timeout moves the request to the next deployment; the request
 *                           did reach Azure, which may still act on it, so an operator whose calls have side
 *                           effects (image generation billed per call) can turn it off; default true
 * @param circuitBreaker     when a deployment's circuit opens; each deployment may override single fields
 */
public record UpstreamSettings(Long connectTimeoutMs,
                               Long requestTimeoutMs,
                               Long firstByteTimeoutMs,
                               Long idleTimeoutMs,
                               Integer maxRetries,
                               Long retryBaseMs,
                               Long retryMaxMs,
                               List<Integer> retryStatuses,
                               Long retryAfterMaxMs,
                               Boolean streamUsage,
                               Pool pool,
                               Integer maxAttempts,
                               Boolean failoverOnTimeout,
                               CircuitBreakerSettings circuitBreaker) {
    /** The default {@code retryStatuses}. */
    public static final List<Integer> DEFAULT_RETRY_STATUSES = List.of(408, 409, 425, 429, 500, 502, 503, 504);

    /** Fills defaults for missing values. */
    public UpstreamSettings {
        connectTimeoutMs = Defaults.or(connectTimeoutMs, 10000L);
        requestTimeoutMs = Defaults.or(requestTimeoutMs, 900000L);
        firstByteTimeoutMs = Defaults.or(firstByteTimeoutMs, 300000L);
        idleTimeoutMs = Defaults.or(idleTimeoutMs, 900000L);
        maxRetries = Defaults.or(maxRetries, 0);
        retryBaseMs = Defaults.or(retryBaseMs, 800L);
        retryMaxMs = Defaults.or(retryMaxMs, 8000L);
        retryStatuses = retryStatuses == null || retryStatuses.isEmpty() ? DEFAULT_RETRY_STATUSES : List.copyOf(retryStatuses);
        retryAfterMaxMs = Defaults.or(retryAfterMaxMs, 30000L);
        streamUsage = Defaults.or(streamUsage, true);
        pool = Defaults.or(pool, Pool.defaults());
        maxAttempts = Defaults.or(maxAttempts, 0);
        failoverOnTimeout = Defaults.or(failoverOnTimeout, true);
        circuitBreaker = CircuitBreakerSettings.DEFAULTS.over(circuitBreaker);
    }

    /**
     * @param deployments the number of deployments in the request's pool (fallback models included)
     * @return the attempt bound for one request
     */
    public int attemptLimit(int deployments) {
        return maxAttempts > 0 ? maxAttempts : Math.max(1, deployments) + maxRetries;
    }

    /**
     * @param newPool another pool block
     * @return a copy with that pool (the proxy's {@code UPSTREAM_*} pool variables override the document's)
     */
    public UpstreamSettings withPool(Pool newPool) {
        return new UpstreamSettings(connectTimeoutMs, requestTimeoutMs, firstByteTimeoutMs, idleTimeoutMs, maxRetries,
                retryBaseMs, retryMaxMs, retryStatuses, retryAfterMaxMs, streamUsage, newPool, maxAttempts,
                failoverOnTimeout, circuitBreaker);
    }

    /** @return the defaults */
    public static UpstreamSettings defaults() {
        return new UpstreamSettings(null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /**
     * The {@code server.upstream.pool} block.
     *
     * @param connections           idle keep-alive connections kept per upstream origin (a cache, not a cap on
     *                              concurrent requests); default 512
     * @param keepAliveTimeoutMs    kept for compatibility (the original's idle time of a pooled connection; Helidon's
     *                              cache keeps idle connections until the upstream closes them); default 60000
     * @param keepAliveMaxTimeoutMs kept for compatibility (longest keep-alive a server may ask for); default 300000
     * @param headersTimeoutMs      kept for compatibility; {@code firstByteTimeoutMs} is the enforced limit; default 300000
     * @param bodyTimeoutMs         kept for compatibility; {@code idleTimeoutMs} is the enforced limit; default 0
     * @param pipelining            kept for compatibility; HTTP/1.1 pipelining is not used; default 1
     */
    public record Pool(Integer connections,
                       Long keepAliveTimeoutMs,
                       Long keepAliveMaxTimeoutMs,
                       Long headersTimeoutMs,
                       Long bodyTimeoutMs,
                       Integer pipelining) {
        /** Fills defaults for missing values. */
        public Pool {
            connections = Defaults.or(connections, 512);
            keepAliveTimeoutMs = Defaults.or(keepAliveTimeoutMs, 60000L);
            keepAliveMaxTimeoutMs = Defaults.or(keepAliveMaxTimeoutMs, 300000L);
            headersTimeoutMs = Defaults.or(headersTimeoutMs, 300000L);
            bodyTimeoutMs = Defaults.or(bodyTimeoutMs, 0L);
            pipelining = Defaults.or(pipelining, 1);
        }

        /** @return the defaults */
        public static Pool defaults() {
            return new Pool(null, null, null, null, null, null);
        }
    }
}
