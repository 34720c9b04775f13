package com.aoaigw.proxy.route;

import com.aoaigw.config.CircuitBreakerSettings;

/**
 * The circuit of one deployment: closed (serves), open (out of rotation until {@code openMs} passed), half-open
 * (exactly one probe request may pass; its success closes the circuit, its failure opens it again).
 *
 * <p>Pure state machine: every method takes the current time, so tests drive it with a fake clock. Opens after
 * {@code failureThreshold} consecutive failures, or when failures / calls over the last {@code windowMs} exceed
 * {@code failureRatio} with at least {@code minRequests} calls (counted in ten buckets of a tenth of the window).
 * Outcomes of requests that were already in flight while the circuit is open do not move it.
 */
final class CircuitBreaker {
    /** What the circuit allows. */
    enum State {
        /** Serves. */
        CLOSED,
        /** Out of rotation. */
        OPEN,
        /** One probe may pass (or has passed and is in flight). */
        HALF_OPEN
    }

    private static final int BUCKETS = 10;

    private State state = State.CLOSED;
    private int consecutive;
    private long openUntil;
    private boolean probing;
    private long probeSince;
    private final long[] bucketEpoch = new long[BUCKETS];
    private final int[] calls = new int[BUCKETS];
    private final int[] failures = new int[BUCKETS];
    private long bucketMs;

    /** @param cb the settings the window is sized by */
    CircuitBreaker(CircuitBreakerSettings cb) {
        configure(cb);
    }

    /**
     * @param now epoch ms
     * @return the state now (an open circuit whose time is over reads as half-open)
     */
    synchronized State state(long now) {
        if (state == State.OPEN && now >= openUntil) {
            return State.HALF_OPEN;
        }
        return state;
    }

    /** @return when an open circuit lets its probe through (epoch ms) */
    synchronized long openUntil() {
        return openUntil;
    }

    /**
     * @param now epoch ms
     * @param cb  the settings
     * @return true when a request could be sent now (closed, or half-open with the probe not taken)
     */
    synchronized boolean available(long now, CircuitBreakerSettings cb) {
        return switch (state(now)) {
            case CLOSED -> true;
            case OPEN -> false;
            case HALF_OPEN -> !probeHeld(now, cb);
        };
    }

    /**
     * Claims the right to send: always granted when closed; in half-open only the first caller gets the probe.
     *
     * @param now epoch ms
     * @param cb  the settings
     * @return true when the caller may send
     */
    synchronized boolean tryAcquire(long now, CircuitBreakerSettings cb) {
        switch (state(now)) {
            case CLOSED:
                return true;
            case OPEN:
                return false;
            default:
                if (probeHeld(now, cb)) {
                    return false;
                }
                state = State.HALF_OPEN;
                probing = true;
                probeSince = now;
                return true;
        }
    }

    /** A probe whose outcome never came back (a lost request) is given up after {@code openMs}. */
    private boolean probeHeld(long now, CircuitBreakerSettings cb) {
        return probing && now - probeSince < cb.openMs();
    }

    /**
     * @param now epoch ms
     * @param cb  the settings
     */
    synchronized void onSuccess(long now, CircuitBreakerSettings cb) {
        configure(cb);
        if (state == State.HALF_OPEN) {
            close();
            return;
        }
        if (state == State.OPEN) {
            return;
        }
        consecutive = 0;
        count(now, false);
    }

    /**
     * @param now epoch ms
     * @param cb  the settings
     */
    synchronized void onFailure(long now, CircuitBreakerSettings cb) {
        configure(cb);
        if (state == State.HALF_OPEN) {
            open(now, cb);
            return;
        }
        if (state == State.OPEN) {
            return;
        }
        consecutive++;
        count(now, true);
        if (consecutive >= cb.failureThreshold() || ratioExceeded(now, cb)) {
            open(now, cb);
        }
    }

    /** The probe ended without telling anything about the deployment (the client went away): free it. */
    synchronized void release() {
        probing = false;
    }

    private void open(long now, CircuitBreakerSettings cb) {
        state = State.OPEN;
        openUntil = now + cb.openMs();
        probing = false;
        consecutive = 0;
        clearWindow();
    }

    private void close() {
        state = State.CLOSED;
        probing = false;
        consecutive = 0;
        clearWindow();
    }

    private void clearWindow() {
        for (int i = 0; i < BUCKETS; i++) {
            bucketEpoch[i] = -1;
            calls[i] = 0;
            failures[i] = 0;
        }
    }

    private void count(long now, boolean failed) {
        long epoch = now / Math.max(1, bucketMs);
        int slot = (int) Math.floorMod(epoch, (long) BUCKETS);
        if (bucketEpoch[slot] != epoch) {
            bucketEpoch[slot] = epoch;
            calls[slot] = 0;
            failures[slot] = 0;
        }
        calls[slot]++;
        if (failed) {
            failures[slot]++;
        }
    }

    private boolean ratioExceeded(long now, CircuitBreakerSettings cb) {
        long epoch = now / Math.max(1, bucketMs);
        int c = 0;
        int f = 0;
        for (int i = 0; i < BUCKETS; i++) {
            if (bucketEpoch[i] > epoch - BUCKETS && bucketEpoch[i] <= epoch) {
                c += calls[i];
                f += failures[i];
            }
        }
        return c >= cb.minRequests() && (double) f / c > cb.failureRatio();
    }

    /**
     * Sizes the window's buckets (a config reload may change {@code windowMs}; the counts restart then).
     *
     * @param cb the settings
     */
    private void configure(CircuitBreakerSettings cb) {
        long b = Math.max(1, cb.windowMs() / BUCKETS);
        if (b != bucketMs) {
            bucketMs = b;
            clearWindow();
        }
    }
}
