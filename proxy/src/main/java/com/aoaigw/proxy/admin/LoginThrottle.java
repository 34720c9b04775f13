package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Backoff and lockout after failed admin logins, tracked per client address and per user name (D9).
 * After {@link Policy#freeFailures()} failures each further attempt waits an exponentially growing delay; after
 * {@link Policy#lockoutFailures()} failures the subject is locked for {@link Policy#lockout()}. Failures are
 * forgotten after {@link Policy#forgetAfter()} without a new failure, and on a successful login.
 */
public final class LoginThrottle {
    private static final int MAX_TRACKED = 10_000;

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
     * @param subjects the keys of this attempt, e.g. {@code ip:1.2.3.4} and {@code user:admin}
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
