package com.aoaigw.proxy.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

import com.aoaigw.config.SharedStateSettings;

/**
 * The console store that follows {@code server.sharedState}: in this process in local mode, in Redis in redis mode,
 * swapped (and the old one closed) when the block changes. Sessions do not move between the two: after a switch
 * the operator signs in again.
 */
public final class FollowingConsoleStore implements ConsoleStore {
    private static final System.Logger LOG = System.getLogger(FollowingConsoleStore.class.getName());

    private final LongSupplier clock;
    private volatile ConsoleStore current;
    private SharedStateSettings settings = SharedStateSettings.defaults();

    /** @param clock epoch ms for the local store */
    public FollowingConsoleStore(LongSupplier clock) {
        this.clock = clock;
        this.current = new LocalConsoleStore(clock);
    }

    /**
     * Applies the settings of a new config; nothing happens when the mode, URL and prefix did not change.
     *
     * @param next the {@code server.sharedState} block
     */
    public synchronized void update(SharedStateSettings next) {
        boolean redis = next.redis() && !next.redisUrl().isEmpty();
        boolean wasRedis = settings.redis() && !settings.redisUrl().isEmpty();
        if (redis == wasRedis && (!redis || (next.redisUrl().equals(settings.redisUrl())
                && next.keyPrefix().equals(settings.keyPrefix())))) {
            settings = next;
            return;
        }
        ConsoleStore old = current;
        current = redis ? new RedisConsoleStore(next.redisUrl().reveal(), next.keyPrefix()) : new LocalConsoleStore(clock);
        settings = next;
        LOG.log(System.Logger.Level.INFO, "admin console: sessions, login throttling and heartbeats kept "
                + (redis ? "in Redis (shared by every replica)" : "in this process"));
        old.close();
    }

    @Override
    public void putSession(String hash, String value, long ttlMs) {
        current.putSession(hash, value, ttlMs);
    }

    @Override
    public boolean replaceSession(String hash, String value, long ttlMs) {
        return current.replaceSession(hash, value, ttlMs);
    }

    @Override
    public Optional<String> session(String hash) {
        return current.session(hash);
    }

    @Override
    public void removeSession(String hash) {
        current.removeSession(hash);
    }

    @Override
    public void clearSessions() {
        current.clearSessions();
    }

    @Override
    public long acquire(long now, List<String> subjects, long[] delays, long forgetMs) {
        return current.acquire(now, subjects, delays, forgetMs);
    }

    @Override
    public void fail(long now, List<String> subjects, long[] delays, long forgetMs) {
        current.fail(now, subjects, delays, forgetMs);
    }

    @Override
    public long blocked(long now, List<String> subjects, long forgetMs) {
        return current.blocked(now, subjects, forgetMs);
    }

    @Override
    public Optional<Failures> failures(long now, String subject, long forgetMs) {
        return current.failures(now, subject, forgetMs);
    }

    @Override
    public void forget(List<String> subjects) {
        current.forget(subjects);
    }

    @Override
    public void beat(String replica, String value, long ttlMs) {
        current.beat(replica, value, ttlMs);
    }

    @Override
    public Map<String, String> replicas() {
        return current.replicas();
    }

    @Override
    public String mode() {
        return current.mode();
    }

    @Override
    public boolean up() {
        return current.up();
    }

    @Override
    public synchronized void close() {
        current.close();
    }
}
