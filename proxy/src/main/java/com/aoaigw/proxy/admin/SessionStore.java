package com.aoaigw.proxy.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import com.aoaigw.proxy.state.ConsoleStore;
import com.aoaigw.proxy.state.LocalConsoleStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Admin sessions with an idle and an absolute expiry. A session carries its CSRF token. Kept in a
 * {@link ConsoleStore}: in this process by default (lost on restart; the operator logs in again), in Redis in
 * redis mode, so a session made on one replica is valid on every other and a logout anywhere ends it everywhere.
 * The store only ever sees the SHA-256 of a session token, never the token.
 */
public final class SessionStore {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Duration idle;
    private final Duration absolute;
    private final Clock clock;
    private final ConsoleStore store;
    private final SecureRandom random = new SecureRandom();

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
     * Sessions in this process.
     *
     * @param idle     idle expiry (e.g. 30 min)
     * @param absolute absolute expiry (e.g. 12 h)
     * @param clock    time source
     */
    public SessionStore(Duration idle, Duration absolute, Clock clock) {
        this(idle, absolute, clock, new LocalConsoleStore(clock::millis));
    }

    /**
     * @param idle     idle expiry (e.g. 30 min)
     * @param absolute absolute expiry (e.g. 12 h)
     * @param clock    time source
     * @param store    where sessions live
     */
    public SessionStore(Duration idle, Duration absolute, Clock clock, ConsoleStore store) {
        this.idle = idle;
        this.absolute = absolute;
        this.clock = clock;
        this.store = store;
    }

    /**
     * @param username who logged in
     * @return a new session
     */
    public Session create(String username) {
        Instant now = clock.instant();
        Session s = new Session(token(), username, token(), now, now);
        store.putSession(hash(s.id()), encode(s), ttlMs(s, now));
        return s;
    }

    /**
     * Looks a session up and marks it used.
     *
     * @param id cookie value
     * @return the live session
     */
    public Optional<Session> touch(String id) {
        if (id == null || id.isEmpty() || id.length() > 256) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String h = hash(id);
        Optional<Session> found = store.session(h).flatMap(v -> decode(id, v));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Session s = found.get();
        if (expired(s, now)) {
            store.removeSession(h);
            return Optional.empty();
        }
        Session touched = new Session(s.id(), s.username(), s.csrfToken(), s.created(), now);
        // only while it still exists: a logout on another replica in between stays a logout
        if (!store.replaceSession(h, encode(touched), ttlMs(touched, now))) {
            return Optional.empty();
        }
        return Optional.of(touched);
    }

    /**
     * @param id cookie value
     */
    public void remove(String id) {
        if (id != null) {
            store.removeSession(hash(id));
        }
    }

    /** Ends every session (after the admin credentials changed). */
    public void clear() {
        store.clearSessions();
    }

    private boolean expired(Session s, Instant now) {
        return now.isAfter(s.lastSeen().plus(idle)) || now.isAfter(s.created().plus(absolute));
    }

    /** The store's time to live: until the idle or the absolute expiry, whichever comes first. */
    private long ttlMs(Session s, Instant now) {
        Instant end = s.lastSeen().plus(idle);
        Instant hard = s.created().plus(absolute);
        if (hard.isBefore(end)) {
            end = hard;
        }
        return Math.max(1, Duration.between(now, end).toMillis() + 1);
    }

    private static String encode(Session s) {
        return JSON.createObjectNode().put("user", s.username()).put("csrf", s.csrfToken())
                .put("created", s.created().toEpochMilli()).put("lastSeen", s.lastSeen().toEpochMilli()).toString();
    }

    private static Optional<Session> decode(String id, String value) {
        try {
            JsonNode n = JSON.readTree(value);
            return Optional.of(new Session(id, n.path("user").asText(), n.path("csrf").asText(),
                    Instant.ofEpochMilli(n.path("created").asLong()), Instant.ofEpochMilli(n.path("lastSeen").asLong())));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /**
     * @param token a session token
     * @return its SHA-256, hex: what the store keeps instead of the token
     */
    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String token() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
