package com.aoaigw.sim;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerRequestHeaders;

/**
 * The latency and fault of one request: the deployment's settings overridden by the {@code x-sim-*} headers.
 *
 * @param ttftMs        time to first token, ms
 * @param intervalNanos pause between two content deltas, ns
 * @param tokens        content deltas asked for with {@code x-sim-tokens}, or null
 * @param fault         the fault to inject ({@link Fault#NONE} for none)
 * @param delayMs       the delay of the slow/stall faults ({@code x-sim-delay-ms}, default 1000)
 * @param retryAfterMs  the retry delay a 429 announces ({@code x-sim-retry-after-ms}, default 1000)
 */
record RequestOptions(long ttftMs, long intervalNanos, Integer tokens, Fault fault, long delayMs, long retryAfterMs) {
    static final HeaderName TTFT = HeaderNames.create("x-sim-ttft-ms");
    static final HeaderName TOKENS_PER_SECOND = HeaderNames.create("x-sim-tokens-per-second");
    static final HeaderName TOKENS = HeaderNames.create("x-sim-tokens");
    static final HeaderName FAULT = HeaderNames.create("x-sim-fault");
    static final HeaderName FAULT_COUNT = HeaderNames.create("x-sim-fault-count");
    static final HeaderName FAULT_KEY = HeaderNames.create("x-sim-fault-key");
    static final HeaderName DELAY = HeaderNames.create("x-sim-delay-ms");
    static final HeaderName RETRY_AFTER = HeaderNames.create("x-sim-retry-after-ms");
    static final long DEFAULT_DELAY_MS = 1000;

    /** @return true when the request asks for anything special (its answer must not come from a cache) */
    static boolean hasSimHeaders(ServerRequestHeaders h) {
        return h.contains(TTFT) || h.contains(TOKENS_PER_SECOND) || h.contains(TOKENS) || h.contains(FAULT)
                || h.contains(DELAY) || h.contains(RETRY_AFTER);
    }

    /**
     * Resolves the options of one request.
     *
     * @param h          the request headers
     * @param name       the deployment name
     * @param deployment the deployment's settings
     * @param counts     how many requests each fault key has seen (for {@code x-sim-fault-count})
     * @return the options
     * @throws IllegalArgumentException when a header value is malformed
     */
    static RequestOptions resolve(ServerRequestHeaders h, String name, DeploymentSettings deployment,
                                  FaultCounts counts) {
        long ttft = longHeader(h, TTFT, deployment.ttftMs());
        double tps = deployment.tokensPerSecond();
        if (h.contains(TOKENS_PER_SECOND)) {
            String v = h.get(TOKENS_PER_SECOND).get().trim();
            try {
                tps = Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("x-sim-tokens-per-second must be a number, was '" + v + "'", e);
            }
        }
        long interval = tps > 0 ? (long) (1_000_000_000L / tps) : 0;
        Integer tokens = h.contains(TOKENS) ? Integer.valueOf((int) longHeader(h, TOKENS, 0)) : deployment.tokens();
        Fault fault = deployment.fault();
        boolean fromHeader = h.contains(FAULT);
        if (fromHeader) {
            String wire = h.get(FAULT).get();
            fault = Fault.fromWireName(wire).orElseThrow(() -> new IllegalArgumentException(
                    "unknown x-sim-fault '" + wire + "'"));
        }
        if (fault != Fault.NONE && h.contains(FAULT_COUNT)) {
            long limit = longHeader(h, FAULT_COUNT, 0);
            String key = h.contains(FAULT_KEY) ? h.get(FAULT_KEY).get() : fault.wireName();
            if (counts.next(key) > limit) {
                fault = Fault.NONE;
            }
        } else if (fault != Fault.NONE && !fromHeader && deployment.faultCount() > 0) {
            // The "deployment:" prefix keeps these counts apart from x-sim-fault-key values.
            if (counts.next("deployment:" + name) > deployment.faultCount()) {
                fault = Fault.NONE;
            }
        }
        return new RequestOptions(ttft, interval, tokens, fault, longHeader(h, DELAY, DEFAULT_DELAY_MS),
                longHeader(h, RETRY_AFTER, 1000));
    }

    private static long longHeader(ServerRequestHeaders h, HeaderName name, long fallback) {
        if (!h.contains(name)) {
            return fallback;
        }
        String v = h.get(name).get().trim();
        try {
            long n = Long.parseLong(v);
            if (n < 0) {
                throw new IllegalArgumentException(name.defaultCase() + " must be >= 0, was " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name.defaultCase() + " must be a whole number, was '" + v + "'", e);
        }
    }

    /** Per-key request counters for {@code x-sim-fault-count}. */
    static final class FaultCounts {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

        int next(String key) {
            return counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }

        void clear() {
            counts.clear();
        }
    }
}
