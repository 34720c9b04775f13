package com.aoaigw.proxy.state;

/** One change made when an exchange ends: actual usage replacing a reservation, a counter added to, a slot freed. */
public sealed interface Adjust {
    /**
     * Replaces what an admission reserved in a window with the actual amount. While the admission's bucket is still
     * in the window the difference goes there; after it left, the whole actual amount goes to the current bucket.
     *
     * @param key        state key
     * @param atMillis   when the reservation was made
     * @param reserved   what was reserved
     * @param actual     the actual amount
     */
    record Window(String key, long atMillis, long reserved, long actual) implements Adjust {
    }

    /**
     * Adds to a period counter (a negative delta gives back part of a reservation; the counter never goes below 0).
     *
     * @param key           state key
     * @param delta         what to add
     * @param resetAtMillis when the period ends
     */
    record Period(String key, long delta, long resetAtMillis) implements Adjust {
    }

    /**
     * Frees a concurrency slot.
     *
     * @param key    state key
     * @param holder the request id holding it
     */
    record Release(String key, String holder) implements Adjust {
    }
}
