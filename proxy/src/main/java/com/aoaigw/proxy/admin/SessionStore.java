package com.aoaigw.proxy.admin;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Admin sessions in memory, with an idle and an absolute expiry. A session carries its CSRF token. Sessions are
 * lost on restart (the operator logs in again), which is the safe default for a single-operator admin page.
 */
public final class SessionStore {
    private static final int MAX_SESSIONS = 1000;

    private final Duration idle;
    private final Duration absolute;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    /**
     * One login.
     *
     * @param id        the cookie value
     * @param username  who logged in
     * @param csrfToken the token required in {@code X-CSRF-Token} on writes
     * @param created   login time
     * @param lastSeen  last use
     */
    public record Session(String id, String username, String csrfToken, Instant created, Instant lastSeen) {
        @Override
        public String toString() {
            return "Session[" + username + ", created " + created + "]";
        }
    }

    /**
     * @param idle     idle expiry (e.g. 30 min)
     * @param absolute absolute expiry (e.g. 12 h)
     * @param clock    time source
     */
    public SessionStore(Duration idle, Duration absolute, Clock clock) {
        this.idle = idle;
        this.absolute = absolute;
        this.clock = clock;
    }

    /**
     * @param username who logged in
     * @return a new session
     */
    public Session create(String username) {
        Instant now = clock.instant();
        if (sessions.size() >= MAX_SESSIONS) {
            sessions.values().removeIf(s -> expired(s, now));
            while (sessions.size() >= MAX_SESSIONS) {
                sessions.values().stream().min(Comparator.comparing(Session::lastSeen))
                        .ifPresent(oldest -> sessions.remove(oldest.id()));
            }
        }
        Session s = new Session(token(), username, token(), now, now);
        sessions.put(s.id(), s);
        return s;
    }

    /**
     * Looks a session up and marks it used.
     *
     * @param id cookie value
     * @return the live session
     */
    public Optional<Session> touch(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (expired(s, now)) {
            sessions.remove(id);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.username(), s.csrfToken(), s.created(), now);
        sessions.put(id, touched);
        return Optional.of(touched);
    }

    /**
     * @param id cookie value
     */
    public void remove(String id) {
        if (id != null) {
            sessions.remove(id);
        }
    }

    /** Ends every session (after the admin credentials changed). */
    public void clear() {
        sessions.clear();
    }

    private boolean expired(Session s, Instant now) {
        return now.isAfter(s.lastSeen().plus(idle)) || now.isAfter(s.created().plus(absolute));
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
