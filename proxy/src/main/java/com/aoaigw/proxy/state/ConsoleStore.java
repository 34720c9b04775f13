package com.aoaigw.proxy.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the admin console keeps beside the limits: admin sessions, failed-login counts and replica heartbeats. In
 * this process ({@link LocalConsoleStore}) or in Redis ({@link RedisConsoleStore}, shared by every replica, so a
 * load balancer without sticky sessions works). Values are opaque strings; the admin package decides what they
 * hold. Callers pass the time, so tests run on a fake clock.
 */
public interface ConsoleStore extends AutoCloseable {
    /**
     * Stores a session.
     *
     * @param hash  the SHA-256 of the session token (the token itself is never stored)
     * @param value what the session holds
     * @param ttlMs how long it lives
     */
    void putSession(String hash, String value, long ttlMs);

    /**
     * Replaces a session only while it still exists (a logout elsewhere is never undone by a late touch).
     *
     * @param hash  token hash
     * @param value the new value
     * @param ttlMs how long it lives from now
     * @return false when it no longer exists
     */
    boolean replaceSession(String hash, String value, long ttlMs);

    /**
     * @param hash token hash
     * @return the session's value while it lives
     */
    Optional<String> session(String hash);

    /** @param hash token hash of the session to end */
    void removeSession(String hash);

    /** Ends every session. */
    void clearSessions();

    /**
     * Login failures of one subject.
     *
     * @param count        failures since the last forgetting
     * @param lastMillis   the newest failure
     * @param blockedUntil no attempt before this (epoch ms)
     */
    record Failures(int count, long lastMillis, long blockedUntil) {
    }

    /**
     * Checks and records a login attempt in one atomic step: when no subject is blocked, each gets one more failure
     * (the caller clears them on success).
     *
     * @param now      epoch ms
     * @param subjects the subjects of the attempt
     * @param delays   {@code delays[i]} is the block after {@code i + 1} failures; the last applies beyond
     * @param forgetMs failures are forgotten this long after the newest, once no block is running
     * @return 0 when the attempt may go ahead (and was recorded), else the longest wait in ms
     */
    long acquire(long now, List<String> subjects, long[] delays, long forgetMs);

    /**
     * Records one failure for each subject.
     *
     * @param now      epoch ms
     * @param subjects the subjects
     * @param delays   as for {@link #acquire}
     * @param forgetMs as for {@link #acquire}
     */
    void fail(long now, List<String> subjects, long[] delays, long forgetMs);

    /**
     * @param now      epoch ms
     * @param subjects the subjects
     * @param forgetMs as for {@link #acquire}
     * @return the longest running block in ms, 0 when none
     */
    long blocked(long now, List<String> subjects, long forgetMs);

    /**
     * @param now      epoch ms
     * @param subject  the subject
     * @param forgetMs as for {@link #acquire}
     * @return its failures, empty when none are remembered
     */
    Optional<Failures> failures(long now, String subject, long forgetMs);

    /** @param subjects subjects whose failures are forgotten (a successful login) */
    void forget(List<String> subjects);

    /**
     * Publishes this replica's heartbeat.
     *
     * @param replica replica id
     * @param value   what it reports
     * @param ttlMs   how long it counts as alive without a new beat
     */
    void beat(String replica, String value, long ttlMs);

    /** @return every live replica's last heartbeat, by replica id */
    Map<String, String> replicas();

    /** @return {@code local}, or {@code redis} (also while Redis is down and this process answers alone) */
    String mode();

    /** @return false while the shared store cannot be reached (this process answers alone meanwhile) */
    boolean up();

    @Override
    void close();
}
