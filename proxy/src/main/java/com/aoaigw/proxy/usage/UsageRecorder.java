package com.aoaigw.proxy.usage;

import java.util.HashMap;
import java.util.Map;

/**
 * The request path's side of the usage history: {@link #record} adds one finished request to a per-minute cell in
 * one of a few stripes (a short lock held by few threads; no I/O, no allocation beyond a new cell's first use), and
 * {@link #drain} hands what was gathered since the previous drain to the history and the Redis flusher.
 */
public final class UsageRecorder {
    private static final int STRIPES = 16;

    private final Stripe[] stripes = new Stripe[STRIPES];

    /** An empty recorder. */
    public UsageRecorder() {
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Stripe();
        }
    }

    /** @param e one finished request */
    public void record(UsageEvent e) {
        long minute = Resolution.MINUTE.align(e.atMillis());
        Dims d = new Dims(e.model(), e.keyId(), e.upstream(), e.deployment());
        long id = Thread.currentThread().threadId();
        Stripe s = stripes[(int) ((id ^ (id >>> 16)) & (STRIPES - 1))];
        synchronized (s) {
            s.cells.computeIfAbsent(minute, k -> new HashMap<>()).computeIfAbsent(d, k -> new UsageCell()).add(e);
        }
    }

    /** @return everything recorded since the previous drain (minute start to cells), now the caller's */
    public Map<Long, Map<Dims, UsageCell>> drain() {
        Map<Long, Map<Dims, UsageCell>> out = new HashMap<>();
        for (Stripe s : stripes) {
            Map<Long, Map<Dims, UsageCell>> taken;
            synchronized (s) {
                if (s.cells.isEmpty()) {
                    continue;
                }
                taken = s.cells;
                s.cells = new HashMap<>();
            }
            merge(out, taken);
        }
        return out;
    }

    /**
     * @param into  minute cells, changed
     * @param other minute cells added to it
     */
    static void merge(Map<Long, Map<Dims, UsageCell>> into, Map<Long, Map<Dims, UsageCell>> other) {
        other.forEach((m, cells) -> {
            Map<Dims, UsageCell> mine = into.get(m);
            if (mine == null) {
                into.put(m, cells);
                return;
            }
            cells.forEach((d, c) -> {
                UsageCell x = mine.putIfAbsent(d, c);
                if (x != null) {
                    x.merge(c);
                }
            });
        });
    }

    private static final class Stripe {
        private Map<Long, Map<Dims, UsageCell>> cells = new HashMap<>();
    }
}
