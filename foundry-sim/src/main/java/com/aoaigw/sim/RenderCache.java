package com.aoaigw.sim;

import java.util.LinkedHashMap;
import java.util.Map;

/** A small LRU of rendered answers for zero-latency (benchmark) mode, keyed by operation, deployment and body. */
final class RenderCache {
    static final int SIZE = 256;
    private final Map<String, DataPlaneService.Rendered> entries = new LinkedHashMap<>(SIZE * 2, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, DataPlaneService.Rendered> eldest) {
            return size() > SIZE;
        }
    };

    synchronized DataPlaneService.Rendered get(String key) {
        return entries.get(key);
    }

    synchronized void put(String key, DataPlaneService.Rendered value) {
        entries.put(key, value);
    }

    synchronized void clear() {
        entries.clear();
    }
}
