package com.aoaigw.proxy.state;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The in-process window: its kept total against a sum of every bucket, under a clock that mostly moves on. */
class LocalSharedStateTest {
    /** What a window holds by definition: every bucket of the last 61 seconds, the current one included. */
    private static final class Naive {
        private final java.util.Map<Long, Long> buckets = new java.util.HashMap<>();

        void add(long at, long amount) {
            long s = Math.floorDiv(at, 1000);
            // a bucket's slot is reused 61 seconds later: an older second in the same slot is gone
            buckets.keySet().removeIf(k -> k != s && Math.floorMod(k, LocalSharedState.BUCKETS)
                    == Math.floorMod(s, LocalSharedState.BUCKETS));
            buckets.merge(s, amount, (x, y) -> Math.max(0, x + y));
            buckets.computeIfPresent(s, (k, v) -> Math.max(0, v));
        }

        long sum(long now) {
            long oldest = Math.floorDiv(now, 1000) - (LocalSharedState.BUCKETS - 1);
            return buckets.entrySet().stream().filter(e -> e.getKey() >= oldest).mapToLong(e -> e.getValue()).sum();
        }
    }

    @Test
    void theKeptTotalIsTheSumOfTheBucketsInTheWindow() {
        Random rnd = new Random(42);
        for (int run = 0; run < 50; run++) {
            LocalSharedState.Ring ring = new LocalSharedState.Ring();
            Naive naive = new Naive();
            long now = 1_800_000_000_000L + rnd.nextInt(1000);
            for (int step = 0; step < 2000; step++) {
                int r = rnd.nextInt(100);
                if (r < 70) {
                    now += rnd.nextInt(400); // mostly forward, a few requests a second
                } else if (r < 73) {
                    now += 30_000 + rnd.nextInt(120_000); // idle for up to two and a half windows
                } else if (r < 75) {
                    now -= rnd.nextInt(3000); // the clock steps back a little
                }
                if (rnd.nextBoolean()) {
                    long at = now - rnd.nextInt(70_000); // a charge for an admission up to 70 s ago
                    long amount = rnd.nextInt(10) == 0 ? -rnd.nextInt(500) : rnd.nextInt(300);
                    if (ring.holds(now, at)) {
                        ring.add(at, amount);
                        naive.add(at, amount);
                    }
                }
                assertEquals(naive.sum(now), ring.sum(now), "run " + run + ", step " + step);
            }
        }
    }
}
