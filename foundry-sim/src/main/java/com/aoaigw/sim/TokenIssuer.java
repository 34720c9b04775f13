package com.aoaigw.sim;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Issues opaque access tokens and remembers them until they expire or are revoked. */
final class TokenIssuer {
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final Clock clock;

    TokenIssuer(Clock clock) {
        this.clock = clock;
    }

    /**
     * @param lifetimeSeconds the token lifetime
     * @return a new token
     */
    String issue(long lifetimeSeconds) {
        Instant now = clock.instant();
        tokens.values().removeIf(exp -> exp.isBefore(now));
        byte[] b = new byte[24];
        random.nextBytes(b);
        String token = "simtok-" + HexFormat.of().formatHex(b);
        tokens.put(token, now.plusSeconds(lifetimeSeconds));
        return token;
    }

    boolean valid(String token) {
        Instant exp = tokens.get(token);
        return exp != null && exp.isAfter(clock.instant());
    }

    Instant now() {
        return clock.instant();
    }

    void revokeAll() {
        tokens.clear();
    }
}
