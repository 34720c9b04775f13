package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import com.aoaigw.proxy.state.ConsoleStore;
import com.aoaigw.proxy.state.LocalConsoleStore;

/**
 * Backoff and lockout after failed admin logins, tracked per client address and per address and user name (D9).
 * After {@link Policy#freeFailures()} failures each further attempt waits an exponentially growing delay; after
 * {@link Policy#lockoutFailures()} failures the subject is locked for {@link Policy#lockout()}. Failures are
 * forgotten after {@link Policy#forgetAfter()} without a new failure, and on a successful login.
 *
 * <p>A user name alone is never locked (anyone could lock the admin out from a few addresses): failures for a
 * user name only slow its attempts down, by an exponential delay capped at {@link #USER_DELAY_MAX}
 * ({@link #slowDown}). {@link #acquire} checks and records an attempt in one step, so a concurrent burst gets
 * exactly the evaluations the policy allows.
 *
 * <p>The counts live in a {@link ConsoleStore}: in this process by default, in Redis in redis mode, where the check
 * and the record are one Lua script, so attempts spread over replicas behind a load balancer count together.
 */
public final class LoginThrottle {
    /** The longest delay failures of one user name add to each attempt for it. */
    public static final Duration USER_DELAY_MAX = Duration.ofSeconds(3);
    /** User names are client-supplied: only this much of one is part of a key. */
    private static final int MAX_NAME = 64;

    private final Policy policy;
    private final Clock clock;
    private final ConsoleStore store;
    private final long[] delays;

    /**
     * The limits.
     *
     * @param freeFailures    failures allowed before any delay
     * @param baseDelay       delay after the first failure beyond the free ones; doubles with each further one
     * @param maxDelay        the delay's cap
     * @param lockoutFailures failures that lock the subject
     * @param lockout         how long a lockout lasts
     * @param forgetAfter     failures older than this (since the last one) are forgotten
     */
    public record Policy(int freeFailures, Duration baseDelay, Duration maxDelay, int lockoutFailures,
                         Duration lockout, Duration forgetAfter) {
        /** @return 3 free failures, 1 s doubling up to 60 s, lockout for 15 min after 10 */
        public static Policy defaults() {
            return new Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(60), 10, Duration.ofMinutes(15),
                    Duration.ofMinutes(15));
        }
    }

    /**
     * Counts in this process.
     *
     * @param policy limits
     * @param clock  time source
     */
    public LoginThrottle(Policy policy, Clock clock) {
        this(policy, clock, new LocalConsoleStore(clock::millis));
    }

    /**
     * @param policy limits
     * @param clock  time source
     * @param store  where the counts live
     */
    public LoginThrottle(Policy policy, Clock clock, ConsoleStore store) {
        this.policy = policy;
        this.clock = clock;
        this.store = store;
        // the block after 1, 2, ... failures; from lockoutFailures on it is the lockout
        int n = Math.max(1, policy.lockoutFailures());
        this.delays = new long[n];
        for (int i = 0; i < n; i++) {
            delays[i] = delayAfter(i + 1).toMillis();
        }
    }

    /**
     * @param ip       the client address
     * @param username the user name tried
     * @return the subjects an attempt is throttled by: the address, and the address with the user name
     */
    public static String[] subjects(String ip, String username) {
        return new String[] {"ip:" + ip, "ipuser:" + ip + "|" + name(username)};
    }

    /**
     * Checks and records an attempt atomically: when allowed, the attempt counts as a failure until
     * {@link #success} clears it, so concurrent attempts see each other.
     *
     * @param subjects the keys of this attempt ({@link #subjects})
     * @return how long the caller must wait, or empty when it may evaluate the credentials now
     */
    public Optional<Duration> acquire(String... subjects) {
        return waitOf(store.acquire(clock.millis(), List.of(subjects), delays, forgetMs()));
    }

    /**
     * Waits the delay earned by the recent failures of this user name (from any address), at most
     * {@link #USER_DELAY_MAX}.
     *
     * @param username the user name tried
     */
    public void slowDown(String username) {
        Optional<ConsoleStore.Failures> f = store.failures(clock.millis(), "user:" + name(username), forgetMs());
        if (f.isEmpty()) {
            return;
        }
        Duration d = userDelay(f.get().count());
        if (!d.isZero()) {
            try {
                Thread.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Records a failed attempt for a user name (its slowdown, never a lock).
     *
     * @param username the user name tried
     */
    public void userFailure(String username) {
        failure("user:" + name(username));
    }

    /**
     * Forgets a user name's failures.
     *
     * @param username the user name that logged in
     */
    public void userSuccess(String username) {
        store.forget(List.of("user:" + name(username)));
    }

    Duration userDelay(int count) {
        if (count < policy.freeFailures()) {
            return Duration.ZERO;
        }
        int exp = Math.min(20, count - policy.freeFailures());
        Duration d = policy.baseDelay().multipliedBy(1L << exp);
        Duration cap = policy.maxDelay().compareTo(USER_DELAY_MAX) < 0 ? policy.maxDelay() : USER_DELAY_MAX;
        return d.compareTo(cap) > 0 ? cap : d;
    }

    private static String name(String username) {
        String n = username == null ? "" : username;
        return n.length() > MAX_NAME ? n.substring(0, MAX_NAME) : n;
    }

    /**
     * @param subjects the keys of this attempt, e.g. {@code ip:1.2.3.4} and {@code ipuser:1.2.3.4|admin}
     * @return how long the caller must wait before trying again, or empty when an attempt is allowed now
     */
    public Optional<Duration> blockedFor(String... subjects) {
        return waitOf(store.blocked(clock.millis(), List.of(subjects), forgetMs()));
    }

    /**
     * Records a failed attempt.
     *
     * @param subjects the keys of this attempt
     */
    public void failure(String... subjects) {
        store.fail(clock.millis(), List.of(subjects), delays, forgetMs());
    }

    /**
     * Forgets the failures of a successful attempt.
     *
     * @param subjects the keys of this attempt
     */
    public void success(String... subjects) {
        store.forget(List.of(subjects));
    }

    Duration delayAfter(int count) {
        if (count >= policy.lockoutFailures()) {
            return policy.lockout();
        }
        if (count < policy.freeFailures()) {
            return Duration.ZERO;
        }
        int exp = Math.min(20, count - policy.freeFailures());
        Duration d = policy.baseDelay().multipliedBy(1L << exp);
        return d.compareTo(policy.maxDelay()) > 0 ? policy.maxDelay() : d;
    }

    private long forgetMs() {
        return policy.forgetAfter().toMillis();
    }

    private static Optional<Duration> waitOf(long ms) {
        return ms <= 0 ? Optional.empty() : Optional.of(Duration.ofMillis(ms));
    }
}
