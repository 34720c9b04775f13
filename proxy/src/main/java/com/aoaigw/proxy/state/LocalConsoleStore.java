package com.aoaigw.proxy.state;

import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The console state in this process: the default, and what a replica answers with while Redis is down. Bounded:
 * at most {@link #MAX_SESSIONS} sessions (the one expiring first goes) and {@link #MAX_SUBJECTS} login subjects
 * (forgotten ones are swept first). One lock; every operation is a few map steps.
 */
public final class LocalConsoleStore implements ConsoleStore {
    static final int MAX_SESSIONS = 1000;
    static final int MAX_SUBJECTS = 10_000;

    private final LongSupplier clock;
    private final Map<String, Entry> sessions = new HashMap<>();
    private final Map<String, Failures> failures = new HashMap<>();
    private final Map<String, Entry> beats = new HashMap<>();

    /** On the system clock. */
    public LocalConsoleStore() {
        this(System::currentTimeMillis);
    }

    /** @param clock epoch ms, for the sessions' and heartbeats' time to live */
    public LocalConsoleStore(LongSupplier clock) {
        this.clock = clock;
    }

    private record Entry(String value, long expiresAt) {
    }

    @Override
    public synchronized void putSession(String hash, String value, long ttlMs) {
        long now = clock.getAsLong();
        if (sessions.size() >= MAX_SESSIONS && !sessions.containsKey(hash)) {
            sessions.values().removeIf(e -> e.expiresAt() <= now);
            while (sessions.size() >= MAX_SESSIONS) {
                sessions.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().expiresAt()))
                        .ifPresent(e -> sessions.remove(e.getKey()));
            }
        }
        sessions.put(hash, new Entry(value, now + ttlMs));
    }

    @Override
    public synchronized boolean replaceSession(String hash, String value, long ttlMs) {
        if (session(hash).isEmpty()) {
            return false;
        }
        sessions.put(hash, new Entry(value, clock.getAsLong() + ttlMs));
        return true;
    }

    @Override
    public synchronized Optional<String> session(String hash) {
        Entry e = sessions.get(hash);
        if (e == null) {
            return Optional.empty();
        }
        if (e.expiresAt() <= clock.getAsLong()) {
            sessions.remove(hash);
            return Optional.empty();
        }
        return Optional.of(e.value());
    }

    @Override
    public synchronized void removeSession(String hash) {
        sessions.remove(hash);
    }

    @Override
    public synchronized void clearSessions() {
        sessions.clear();
    }

    @Override
    public synchronized long acquire(long now, List<String> subjects, long[] delays, long forgetMs) {
        long wait = blocked(now, subjects, forgetMs);
        if (wait == 0) {
            fail(now, subjects, delays, forgetMs);
        }
        return wait;
    }

    @Override
    public synchronized void fail(long now, List<String> subjects, long[] delays, long forgetMs) {
        if (failures.size() > MAX_SUBJECTS) {
            failures.values().removeIf(f -> forgotten(f, now, forgetMs));
        }
        for (String s : subjects) {
            Failures old = failures.get(s);
            int count = old == null || now > old.lastMillis() + forgetMs ? 1 : old.count() + 1;
            failures.put(s, new Failures(count, now, now + delays[Math.min(count, delays.length) - 1]));
        }
    }

    @Override
    public synchronized long blocked(long now, List<String> subjects, long forgetMs) {
        long longest = 0;
        for (String s : subjects) {
            Failures f = failures.get(s);
            if (f == null) {
                continue;
            }
            if (forgotten(f, now, forgetMs)) {
                failures.remove(s);
                continue;
            }
            longest = Math.max(longest, f.blockedUntil() - now);
        }
        return longest;
    }

    @Override
    public synchronized Optional<Failures> failures(long now, String subject, long forgetMs) {
        Failures f = failures.get(subject);
        return f == null || now > f.lastMillis() + forgetMs ? Optional.empty() : Optional.of(f);
    }

    @Override
    public synchronized void forget(List<String> subjects) {
        subjects.forEach(failures::remove);
    }

    @Override
    public synchronized void beat(String replica, String value, long ttlMs) {
        beats.put(replica, new Entry(value, clock.getAsLong() + ttlMs));
    }

    @Override
    public synchronized Map<String, String> replicas() {
        long now = clock.getAsLong();
        beats.values().removeIf(e -> e.expiresAt() <= now);
        Map<String, String> out = new LinkedHashMap<>();
        beats.forEach((k, v) -> out.put(k, v.value()));
        return out;
    }

    @Override
    public String mode() {
        return "local";
    }

    @Override
    public boolean up() {
        return true;
    }

    @Override
    public void close() {
        // nothing outside the heap
    }

    private static boolean forgotten(Failures f, long now, long forgetMs) {
        return now > f.lastMillis() + forgetMs && now > f.blockedUntil();
    }
}
