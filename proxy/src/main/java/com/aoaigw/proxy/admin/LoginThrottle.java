package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
 */
public final class LoginThrottle {
    /** The longest delay failures of one user name add to each attempt for it. */
    public static final Duration USER_DELAY_MAX = Duration.ofSeconds(3);
    private static final int MAX_TRACKED = 10_000;
    /** User names are client-supplied: only this much of one is part of a key. */
    private static final int MAX_NAME = 64;

    private final Policy policy;
    private final Clock clock;
    private final Map<String, Failures> failures = new ConcurrentHashMap<>();

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
     * @param policy limits
     * @param clock  time source
     */
    public LoginThrottle(Policy policy, Clock clock) {
        this.policy = policy;
        this.clock = clock;
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
    public synchronized Optional<Duration> acquire(String... subjects) {
        Optional<Duration> wait = blockedFor(subjects);
        if (wait.isEmpty()) {
            failure(subjects);
        }
        return wait;
    }

    /**
     * Waits the delay earned by the recent failures of this user name (from any address), at most
     * {@link #USER_DELAY_MAX}.
     *
     * @param username the user name tried
     */
    public void slowDown(String username) {
        Failures f = failures.get("user:" + name(username));
        if (f == null || clock.instant().isAfter(f.last().plus(policy.forgetAfter()))) {
            return;
        }
        Duration d = userDelay(f.count());
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
        failures.remove("user:" + name(username));
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
        Instant now = clock.instant();
        Duration longest = Duration.ZERO;
        for (String s : subjects) {
            Failures f = failures.get(s);
            if (f == null) {
                continue;
            }
            if (now.isAfter(f.last().plus(policy.forgetAfter())) && now.isAfter(f.blockedUntil())) {
                failures.remove(s, f);
                continue;
            }
            Duration wait = Duration.between(now, f.blockedUntil());
            if (wait.compareTo(longest) > 0) {
                longest = wait;
            }
        }
        return longest.isZero() || longest.isNegative() ? Optional.empty() : Optional.of(longest);
    }

    /**
     * Records a failed attempt.
     *
     * @param subjects the keys of this attempt
     */
    public void failure(String... subjects) {
        Instant now = clock.instant();
        if (failures.size() > MAX_TRACKED) {
            prune(now);
        }
        for (String s : subjects) {
            failures.compute(s, (k, old) -> {
                int count = old == null || now.isAfter(old.last().plus(policy.forgetAfter())) ? 1 : old.count() + 1;
                return new Failures(count, now, now.plus(delayAfter(count)));
            });
        }
    }

    /**
     * Forgets the failures of a successful attempt.
     *
     * @param subjects the keys of this attempt
     */
    public void success(String... subjects) {
        for (String s : subjects) {
            failures.remove(s);
        }
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

    private void prune(Instant now) {
        for (Iterator<Map.Entry<String, Failures>> it = failures.entrySet().iterator(); it.hasNext(); ) {
            Failures f = it.next().getValue();
            if (now.isAfter(f.last().plus(policy.forgetAfter())) && now.isAfter(f.blockedUntil())) {
                it.remove();
            }
        }
    }

    private record Failures(int count, Instant last, Instant blockedUntil) {
    }
}
