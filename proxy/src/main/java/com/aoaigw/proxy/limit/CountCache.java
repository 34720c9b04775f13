package com.aoaigw.proxy.limit;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Token counts of texts seen before, by a 64-bit hash of the text: a fixed table of slots (like a CPU cache, each hash
 * has one slot and a newer text evicts the older one). A slot packs the hash's upper bits and the count into one
 * {@code long}, so a reader never sees one text's tag with another's count, without locks. Two texts would have to
 * agree on 64 bits of hash to share a count (and the count is only an estimate). Holds no text.
 */
final class CountCache {
    /** Slots of the estimator's table (512 KB). */
    static final int DEFAULT_SLOTS = 1 << 16;
    /** Texts shorter than this are counted each time (hashing them would save little). */
    static final int MIN_CHARS = 16;
    private static final int COUNT_BITS = 24;
    private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

    private final AtomicLongArray slots;
    private final int mask;

    /** @param slots number of slots, a power of two */
    CountCache(int slots) {
        if (Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slots);
        }
        this.slots = new AtomicLongArray(slots);
        this.mask = slots - 1;
    }

    /**
     * @param hash the text's hash from {@link #hash}
     * @return its count, or -1 when not known
     */
    int get(long hash) {
        long v = slots.getPlain(index(hash));
        return v != 0 && (v & ~COUNT_MASK) == tag(hash) ? (int) (v & COUNT_MASK) - 1 : -1;
    }

    /**
     * @param hash  the text's hash from {@link #hash}
     * @param count its tokens (counts that do not fit in 24 bits are not kept)
     */
    void put(long hash, int count) {
        if (count >= 0 && count < COUNT_MASK) {
            slots.setPlain(index(hash), tag(hash) | (count + 1));
        }
    }

    private int index(long hash) {
        return (int) hash & mask;
    }

    private static long tag(long hash) {
        return hash & ~COUNT_MASK;
    }

    /**
     * A 64-bit hash of a text's characters (FNV-1a over the UTF-16 units, then a finalising mix).
     *
     * @param text the text
     * @param seed what else the count depends on (the encoding)
     * @return the hash
     */
    static long hash(String text, int seed) {
        long h = 0xcbf29ce484222325L ^ (long) seed << 32; // above the 16 bits a character can flip
        for (int i = 0, n = text.length(); i < n; i++) {
            h ^= text.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= text.length();
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
