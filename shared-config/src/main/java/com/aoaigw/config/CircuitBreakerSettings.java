package com.aoaigw.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * When a deployment's circuit opens: {@code server.upstream.circuitBreaker} (every field filled, defaults
 * included) and the per-deployment override {@code models[].deployments[].circuitBreaker} (only the fields given;
 * the rest come from the server block, see {@link #over}).
 *
 * <p>Failures that count: connect failures, {@code retryStatuses} other than 429, and first-byte timeouts. A 429
 * is capacity, not ill health: it puts the deployment into cooldown instead.
 *
 * @param failureThreshold consecutive failures that open the circuit; default 5
 * @param failureRatio     failures / calls over the last {@code windowMs} above which the circuit opens (with at
 *                         least {@code minRequests} calls in the window); default 0.5
 * @param windowMs         the window of the ratio rule, in ms; default 60000
 * @param minRequests      calls in the window before the ratio rule applies; default 20
 * @param openMs           how long an open circuit keeps the deployment out of rotation before one probe request
 *                         is let through (half-open), in ms; default 30000
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CircuitBreakerSettings(Integer failureThreshold,
                                     Double failureRatio,
                                     Long windowMs,
                                     Integer minRequests,
                                     Long openMs) {
    /** The defaults, every field filled. */
    public static final CircuitBreakerSettings DEFAULTS = new CircuitBreakerSettings(5, 0.5, 60000L, 20, 30000L);

    /**
     * @param override a partial block (fields may be null), or null
     * @return this block with the override's non-null fields applied
     */
    public CircuitBreakerSettings over(CircuitBreakerSettings override) {
        if (override == null) {
            return this;
        }
        return new CircuitBreakerSettings(
                Defaults.or(override.failureThreshold, failureThreshold),
                Defaults.or(override.failureRatio, failureRatio),
                Defaults.or(override.windowMs, windowMs),
                Defaults.or(override.minRequests, minRequests),
                Defaults.or(override.openMs, openMs));
    }
}
