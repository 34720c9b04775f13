package com.aoaigw.proxy.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The gateway's own health over the last five minutes, for the Overview's status pill and each replica's
 * heartbeat. It looks at what the gateway is responsible for, never at what clients did wrong:
 * <ul>
 *     <li><b>gateway errors</b>: answers with status 500 or above (the gateway's own 500, 502/503/504 after upstream
 *     failures or timeouts, an upstream's 5xx passed on);</li>
 *     <li><b>upstream failures</b>: upstream attempts that failed (status 500 or above, 429, or no usable answer),
 *     including those a failover recovered from;</li>
 *     <li><b>client errors</b> (400-499: bad requests, unknown keys, the key's own limits, clients that went away)
 *     are counted for display only and never change the state.</li>
 * </ul>
 * States ({@link #evaluate}): {@code down} when no valid config is in service, or at least {@link #DOWN_MIN}
 * requests and half or more of them were gateway errors; {@code degraded} when there was any gateway error, when
 * upstream failures reached a tenth of the requests, or when the shared state (Redis) is unreachable; otherwise
 * {@code online}.
 */
public final class GatewayHealth {
    /** The window: five minutes. */
    public static final long WINDOW_MS = 300_000;
    /** Requests needed before a share of gateway errors can make the state {@code down}. */
    public static final int DOWN_MIN = 5;
    private static final long BUCKET_MS = 10_000;
    private static final int BUCKETS = (int) (WINDOW_MS / BUCKET_MS);

    private final LongSupplier clock;
    private final long[] start = new long[BUCKETS];
    private final long[][] counts = new long[BUCKETS][4];

    /** @param clock epoch ms */
    public GatewayHealth(LongSupplier clock) {
        this.clock = clock;
        java.util.Arrays.fill(start, Long.MIN_VALUE);
    }

    /**
     * What the last five minutes hold.
     *
     * @param requests         client API requests answered
     * @param gatewayErrors    of them, answered with 500 or above
     * @param clientErrors     of them, answered with 400-499 (not counted against the gateway)
     * @param upstreamFailures failed upstream attempts (recovered or not)
     */
    public record Counts(long requests, long gatewayErrors, long clientErrors, long upstreamFailures) {
        /**
         * @param o other counts (another replica's)
         * @return the sum
         */
        public Counts plus(Counts o) {
            return new Counts(requests + o.requests, gatewayErrors + o.gatewayErrors, clientErrors + o.clientErrors,
                    upstreamFailures + o.upstreamFailures);
        }
    }

    /**
     * The verdict.
     *
     * @param state   {@code online}, {@code degraded} or {@code down}
     * @param reasons why it is not online: {@code no_config}, {@code gateway_errors}, {@code upstream_failures},
     *                {@code shared_state_down}
     * @param counts  what it was decided on
     */
    public record Health(String state, List<String> reasons, Counts counts) {
    }

    /**
     * Counts one finished client API request.
     *
     * @param status         the status the client got
     * @param failedAttempts upstream attempts of it that failed
     */
    public synchronized void record(int status, int failedAttempts) {
        long now = clock.getAsLong();
        long s = Math.floorDiv(now, BUCKET_MS) * BUCKET_MS;
        int i = (int) Math.floorMod(Math.floorDiv(now, BUCKET_MS), BUCKETS);
        if (start[i] != s) {
            start[i] = s;
            java.util.Arrays.fill(counts[i], 0);
        }
        counts[i][0]++;
        if (status >= 500) {
            counts[i][1]++;
        } else if (status >= 400) {
            counts[i][2]++;
        }
        counts[i][3] += failedAttempts;
    }

    /**
     * @param status the upstream's status, 0 when there was no answer
     * @param error  the failure code, or null
     * @return whether an upstream attempt failed
     */
    public static boolean failedAttempt(int status, String error) {
        return error != null || status == 0 || status == 429 || status >= 500;
    }

    /** @return the last five minutes */
    public synchronized Counts counts() {
        long oldest = clock.getAsLong() - WINDOW_MS;
        long[] sum = new long[4];
        for (int i = 0; i < BUCKETS; i++) {
            if (start[i] != Long.MIN_VALUE && start[i] + BUCKET_MS > oldest) {
                for (int j = 0; j < 4; j++) {
                    sum[j] += counts[i][j];
                }
            }
        }
        return new Counts(sum[0], sum[1], sum[2], sum[3]);
    }

    /**
     * The rule (see the class comment).
     *
     * @param c             the counts
     * @param configLoaded  a valid config is in service
     * @param sharedStateUp the shared state is reachable (always true in local mode)
     * @return the verdict
     */
    public static Health evaluate(Counts c, boolean configLoaded, boolean sharedStateUp) {
        List<String> reasons = new ArrayList<>();
        boolean down = false;
        if (!configLoaded) {
            reasons.add("no_config");
            down = true;
        }
        if (c.gatewayErrors() > 0) {
            reasons.add("gateway_errors");
            down |= c.requests() >= DOWN_MIN && c.gatewayErrors() * 2 >= c.requests();
        }
        if (c.upstreamFailures() > 0 && c.upstreamFailures() * 10 >= c.requests()) {
            reasons.add("upstream_failures");
        }
        if (!sharedStateUp) {
            reasons.add("shared_state_down");
        }
        String state = down ? "down" : reasons.isEmpty() ? "online" : "degraded";
        return new Health(state, List.copyOf(reasons), c);
    }
}
