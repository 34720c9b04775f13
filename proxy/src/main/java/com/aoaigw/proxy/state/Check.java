package com.aoaigw.proxy.state;

/**
 * One limit an admission must fit in. A check passes when {@code used + max(amount, 1) <= limit}; when every check
 * of an admission passes, each one reserves {@code amount} (a slot reserves one place).
 */
public sealed interface Check {
    /** Length of a sliding window, in milliseconds. */
    long WINDOW_MS = 60_000;

    /** @return the state key, without the configured prefix */
    String key();

    /** @return the limit */
    long limit();

    /** @return what this admission adds */
    long amount();

    /**
     * A sliding one-minute window of one-second buckets. A bucket counts while it is at most 60 s old, so
     * everything of the last 60 s is always counted (a bucket up to 61 s old may still count: the window errs on the
     * safe side).
     *
     * @param key    state key
     * @param limit  the most the window may hold
     * @param amount what this admission adds (1 for a request, the prompt estimate for tokens)
     */
    record Window(String key, long limit, long amount) implements Check {
    }

    /**
     * A counter for a calendar period (a UTC day or month) whose key names the period.
     *
     * @param key           state key (naming the period)
     * @param limit         the most the period may hold
     * @param amount        what this admission reserves
     * @param resetAtMillis when the period ends (epoch milliseconds); the counter is kept a while longer for reading
     */
    record Period(String key, long limit, long amount, long resetAtMillis) implements Check {
    }

    /**
     * Concurrency slots: one per request in flight, each with a lease so a replica that dies does not hold its
     * slots for ever.
     *
     * @param key     state key
     * @param limit   slots
     * @param holder  the request id holding the slot
     * @param leaseMs how long the slot is held at most
     */
    record Slot(String key, long limit, String holder, long leaseMs) implements Check {
        @Override
        public long amount() {
            return 1;
        }
    }
}
