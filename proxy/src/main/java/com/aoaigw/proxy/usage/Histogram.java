package com.aoaigw.proxy.usage;

import java.util.Arrays;

/**
 * A duration histogram (milliseconds) over FIXED bucket bounds, so histograms of different replicas and periods add
 * up exactly and a percentile of the sum is read from the summed buckets. Bucket {@code i} holds values from
 * {@link #lower(int)} (inclusive) to {@link #upper(int)} (exclusive): one bucket per millisecond below 16 ms, then
 * eight buckets per doubling (each about 9% wide) up to one hour, then one overflow bucket. Only buckets that hold
 * something are kept, each as one long (bucket index in the high bits, count in the low {@value #COUNT_BITS}), sorted,
 * so an empty or narrow histogram costs a few bytes (the usage history keeps hundreds of thousands).
 * Not thread-safe: the owner synchronises.
 */
public final class Histogram {
    /** Upper bounds (exclusive) of every bucket but the last, in ms; fixed forever (stored indexes rely on them). */
    private static final long[] UPPER = bounds();
    /** The number of buckets, the overflow bucket included. */
    public static final int BUCKETS = UPPER.length + 1;

    private static final int COUNT_BITS = 40;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;
    private static final long[] EMPTY = new long[0];

    /** (bucket << COUNT_BITS) | count, ascending by bucket. */
    private long[] entries = EMPTY;
    private long total;

    private static long[] bounds() {
        long[] b = new long[200];
        int n = 0;
        for (long v = 1; v <= 16; v++) {
            b[n++] = v;
        }
        for (int k = 1; ; k++) {
            // integers computed once: 16 * 2^(k/8), rounded up, strictly increasing
            long v = (long) Math.ceil(16 * StrictMath.pow(2, k / 8.0));
            if (v <= b[n - 1]) {
                continue;
            }
            b[n++] = v;
            if (v > 3_600_000) {
                break;
            }
        }
        return Arrays.copyOf(b, n);
    }

    /**
     * @param ms a duration in ms (negative counts as 0)
     * @return the bucket it falls in
     */
    public static int bucketOf(long ms) {
        long v = Math.max(0, ms);
        int i = Arrays.binarySearch(UPPER, v);
        // an exact hit on an upper bound belongs to the next bucket (bounds are exclusive)
        return i >= 0 ? i + 1 : -i - 1;
    }

    /**
     * @param bucket a bucket index
     * @return its lowest value
     */
    public static long lower(int bucket) {
        return bucket == 0 ? 0 : UPPER[bucket - 1];
    }

    /**
     * @param bucket a bucket index
     * @return its exclusive upper bound ({@link Long#MAX_VALUE} for the overflow bucket)
     */
    public static long upper(int bucket) {
        return bucket < UPPER.length ? UPPER[bucket] : Long.MAX_VALUE;
    }

    /** @param ms one more value */
    public void add(long ms) {
        add(bucketOf(ms), 1);
    }

    /**
     * @param bucket a bucket index
     * @param n      how many values to add to it
     */
    public void add(int bucket, long n) {
        if (n == 0) {
            return;
        }
        if (bucket < 0 || bucket >= BUCKETS) {
            throw new IllegalArgumentException("no histogram bucket " + bucket);
        }
        int at = find(bucket);
        if (at >= 0) {
            long c = (entries[at] & COUNT_MASK) + n;
            if (c > COUNT_MASK) {
                throw new IllegalStateException("histogram bucket count overflow");
            }
            entries[at] = ((long) bucket << COUNT_BITS) | c;
        } else {
            int ins = -at - 1;
            long[] ne = new long[entries.length + 1];
            System.arraycopy(entries, 0, ne, 0, ins);
            ne[ins] = ((long) bucket << COUNT_BITS) | n;
            System.arraycopy(entries, ins, ne, ins + 1, entries.length - ins);
            entries = ne;
        }
        total += n;
    }

    /** Binary search by bucket: the entry's index, or {@code -(insertion point) - 1}. */
    private int find(int bucket) {
        int lo = 0;
        int hi = entries.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int b = (int) (entries[mid] >>> COUNT_BITS);
            if (b < bucket) {
                lo = mid + 1;
            } else if (b > bucket) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -lo - 1;
    }

    /** @param other added bucket by bucket */
    public void merge(Histogram other) {
        for (long e : other.entries) {
            add((int) (e >>> COUNT_BITS), e & COUNT_MASK);
        }
    }

    /** @return the number of values */
    public long total() {
        return total;
    }

    /** @return the buckets that hold something, ascending */
    public int[] buckets() {
        int[] out = new int[entries.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (int) (entries[i] >>> COUNT_BITS);
        }
        return out;
    }

    /**
     * @param bucket a bucket index
     * @return how many values it holds
     */
    public long count(int bucket) {
        int at = find(bucket);
        return at >= 0 ? entries[at] & COUNT_MASK : 0;
    }

    /**
     * The p-th percentile read from the buckets: the bucket that holds the value of rank {@code ceil(p% * total)},
     * and within it a linear interpolation between its lowest and highest whole millisecond by the rank's place
     * among the bucket's values (a bucket's only value: its middle). Exact for the 1 ms buckets below 16 ms,
     * within the bucket's ~9% otherwise; the overflow bucket answers its lower bound.
     *
     * @param p the percentile, 0 to 100
     * @return the value in ms, or null when there are no values
     */
    public Double percentile(double p) {
        if (total == 0) {
            return null;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long before = 0;
        for (long e : entries) {
            long n = e & COUNT_MASK;
            if (before + n >= rank) {
                int b = (int) (e >>> COUNT_BITS);
                long lo = lower(b);
                if (b >= UPPER.length) {
                    return (double) lo;
                }
                long hi = upper(b) - 1;
                double frac = n == 1 ? 0.5 : (double) (rank - before - 1) / (n - 1);
                return lo + (hi - lo) * frac;
            }
            before += n;
        }
        return (double) lower((int) (entries[entries.length - 1] >>> COUNT_BITS));
    }

    /** @return a copy */
    public Histogram copy() {
        Histogram h = new Histogram();
        h.entries = entries.length == 0 ? EMPTY : entries.clone();
        h.total = total;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && Arrays.equals(entries, h.entries);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(entries);
    }
}
