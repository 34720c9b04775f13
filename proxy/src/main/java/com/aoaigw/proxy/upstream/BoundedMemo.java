package com.aoaigw.proxy.upstream;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Remembers the results of a pure function for keys that come from the config (deployment names, upstream URLs), so
 * the hot path computes each once. Past {@code limit} entries new results are computed but no longer kept: the
 * bound only guards against a pathological config, real ones stay far below it.
 *
 * @param <K> key
 * @param <V> value
 */
public final class BoundedMemo<K, V> {
    private final ConcurrentHashMap<K, V> values = new ConcurrentHashMap<>();
    private final Function<K, V> compute;
    private final int limit;

    /**
     * @param limit   most entries kept
     * @param compute the function (pure: two threads may compute the same key at once)
     */
    public BoundedMemo(int limit, Function<K, V> compute) {
        this.limit = limit;
        this.compute = compute;
    }

    /**
     * @param key a key (not null)
     * @return the function's value for it
     */
    public V get(K key) {
        V v = values.get(key);
        if (v == null) {
            v = compute.apply(key);
            if (values.size() < limit) {
                values.put(key, v);
            }
        }
        return v;
    }

    /** Forgets every entry. */
    public void clear() {
        values.clear();
    }
}
