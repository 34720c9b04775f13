package com.aoaigw.proxy.usage;

import java.util.Arrays;

/**
 * A duration histogram (milliseconds) over FIXED bucket bounds, so histograms of different replicas and periods add
 * up exactly and a percentile of the sum is read from the summed buckets. Bucket {@code i} holds values from
 * {@link #lower(int)} (inclusive) to {@link #upper(int)} (exclusive): one bucket per millisecond below 16 ms, then
 * eight buckets per doubling (each about 9% wide) up to one hour, then one overflow bucket. Only buckets that hold
 * something are kept (sorted index and count arrays), so an empty or narrow histogram costs a few bytes.
 * Not thread-safe: the owner synchronises.
 */
public final class Histogram {
    /** Upper bounds (exclusive) of every bucket but the last, in ms; fixed forever (stored indexes rely on them). */
    private static final long[] UPPER = bounds();
    /** The number of buckets, the overflow bucket included. */
    public static final int BUCKETS = UPPER.length + 1;

    private int[] index = new int[0];
    private long[] count = new long[0];
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
        int at = Arrays.binarySearch(index, bucket);
        if (at >= 0) {
            count[at] += n;
        } else {
            int ins = -at - 1;
            int[] ni = new int[index.length + 1];
            long[] nc = new long[count.length + 1];
            System.arraycopy(index, 0, ni, 0, ins);
            System.arraycopy(count, 0, nc, 0, ins);
            ni[ins] = bucket;
            nc[ins] = n;
            System.arraycopy(index, ins, ni, ins + 1, index.length - ins);
            System.arraycopy(count, ins, nc, ins + 1, count.length - ins);
            index = ni;
            count = nc;
        }
        total += n;
    }

    /** @param other added bucket by bucket */
    public void merge(Histogram other) {
        for (int i = 0; i < other.index.length; i++) {
            add(other.index[i], other.count[i]);
        }
    }

    /** @return the number of values */
    public long total() {
        return total;
    }

    /** @return the buckets that hold something, ascending */
    public int[] buckets() {
        return index.clone();
    }

    /**
     * @param bucket a bucket index
     * @return how many values it holds
     */
    public long count(int bucket) {
        int at = Arrays.binarySearch(index, bucket);
        return at >= 0 ? count[at] : 0;
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
        for (int i = 0; i < index.length; i++) {
            if (before + count[i] >= rank) {
                int b = index[i];
                long lo = lower(b);
                if (b >= UPPER.length) {
                    return (double) lo;
                }
                long hi = upper(b) - 1;
                double frac = count[i] == 1 ? 0.5 : (double) (rank - before - 1) / (count[i] - 1);
                return lo + (hi - lo) * frac;
            }
            before += count[i];
        }
        return (double) lower(index[index.length - 1]);
    }

    /** @return a copy */
    public Histogram copy() {
        Histogram h = new Histogram();
        h.index = index.clone();
        h.count = count.clone();
        h.total = total;
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Histogram h && Arrays.equals(index, h.index) && Arrays.equals(count, h.count);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(index) * 31 + Arrays.hashCode(count);
    }
}
