package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A bounded ring of recent log entries ({@code ADMIN_LOG_BUFFER_SIZE}, default 1000); the oldest are dropped first.
 */
public final class LogBuffer {
    /** The default capacity. */
    public static final int DEFAULT_SIZE = 1000;

    private final int capacity;
    private final Deque<LogEntry> entries;
    private long nextId = 1;

    /**
     * @param capacity how many entries are kept (at least 1)
     */
    public LogBuffer(int capacity) {
        this.capacity = Math.max(1, capacity);
        this.entries = new ArrayDeque<>(Math.min(this.capacity, 4096));
    }

    /**
     * @param raw the environment value of {@code ADMIN_LOG_BUFFER_SIZE}, or null
     * @return the capacity it names (default 1000; clamped to 10..100000)
     */
    public static int sizeFrom(String raw) {
        if (raw == null || raw.isBlank()) {
            return DEFAULT_SIZE;
        }
        try {
            return Math.max(10, Math.min(100_000, Integer.parseInt(raw.trim())));
        } catch (NumberFormatException e) {
            return DEFAULT_SIZE;
        }
    }

    /** @return the capacity */
    public int capacity() {
        return capacity;
    }

    /**
     * Adds an entry, giving it the next id.
     *
     * @param e an entry (its id is ignored)
     * @return the stored entry
     */
    public synchronized LogEntry add(LogEntry e) {
        LogEntry stored = new LogEntry(nextId++, e.ts(), e.level(), e.logger(), e.event(),
                e.isLazy() ? null : e.message(), e.requestId(),
                e.model(), e.key(), e.status(), e.isLazy() ? null : e.fields(), e.lazy());
        if (entries.size() >= capacity) {
            entries.removeFirst();
        }
        entries.addLast(stored);
        return stored;
    }

    /**
     * A query.
     *
     * @param levels    levels to include (empty: all)
     * @param text      case-insensitive substring of message, event or logger, or null
     * @param requestId exact request id, or null
     * @param model     exact model id, or null
     * @param key       exact key id, or null
     * @param status    an exact status ({@code 429}) or a class ({@code 4xx}), or null
     * @param since     only entries at or after this time, or null
     * @param after     only entries with a larger id (live tail by polling), or 0
     * @param limit     at most this many (newest first)
     */
    public record Query(Set<String> levels, String text, String requestId, String model, String key, String status,
                        Instant since, long after, int limit) {
    }

    /**
     * A query's answer.
     *
     * @param total  matches in the buffer
     * @param lastId the newest id in the buffer (0 when empty), for the next {@code after}
     * @param items  the newest {@code limit} matches, newest first
     */
    public record Result(int total, long lastId, List<LogEntry> items) {
    }

    /**
     * @param q the query
     * @return the matches
     */
    public synchronized Result query(Query q) {
        List<LogEntry> out = new ArrayList<>();
        int total = 0;
        String text = q.text() == null || q.text().isBlank() ? null : q.text().toLowerCase(Locale.ROOT);
        for (Iterator<LogEntry> it = entries.descendingIterator(); it.hasNext(); ) {
            LogEntry e = it.next();
            if (e.id() <= q.after()) {
                break;
            }
            if (matches(e, q, text)) {
                total++;
                if (out.size() < q.limit()) {
                    out.add(e);
                }
            }
        }
        return new Result(total, entries.isEmpty() ? 0 : entries.getLast().id(), out);
    }

    private static boolean matches(LogEntry e, Query q, String text) {
        if (!q.levels().isEmpty() && !q.levels().contains(e.level())) {
            return false;
        }
        if (q.since() != null && e.ts().isBefore(q.since())) {
            return false;
        }
        if (!eq(q.requestId(), e.requestId()) || !eq(q.model(), e.model()) || !eq(q.key(), e.key())) {
            return false;
        }
        if (q.status() != null && !q.status().isBlank()) {
            if (e.status() == null) {
                return false;
            }
            String s = q.status().trim().toLowerCase(Locale.ROOT);
            boolean ok = s.endsWith("xx") && s.length() == 3
                    ? String.valueOf(e.status()).charAt(0) == s.charAt(0)
                    : s.equals(String.valueOf(e.status()));
            if (!ok) {
                return false;
            }
        }
        if (text != null) {
            String hay = ((e.message() == null ? "" : e.message()) + " " + (e.event() == null ? "" : e.event()) + " "
                    + e.logger() + " " + (e.isLazy() || e.fields() == null ? "" : e.fields().toString()))
                    .toLowerCase(Locale.ROOT);
            return hay.contains(text);
        }
        return true;
    }

    private static boolean eq(String wanted, String actual) {
        return wanted == null || wanted.isBlank() || wanted.equalsIgnoreCase(actual);
    }
}
