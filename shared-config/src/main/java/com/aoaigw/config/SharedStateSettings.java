package com.aoaigw.config;

/**
 * The {@code server.sharedState} block: where the counters of limits, quotas and budgets live.
 *
 * @param mode        {@code local} (default: each process counts alone, nothing to install) or {@code redis} (all
 *                    replicas share the counters in one Redis)
 * @param redisUrl    the Redis URL for mode {@code redis}: {@code redis://[:password@]host:port[/db]} or
 *                    {@code rediss://} for TLS (Azure Cache for Redis / Azure Managed Redis); a secret, so
 *                    {@code env:NAME} is allowed (e.g. {@code env:REDIS_URL})
 * @param keyPrefix   prefix of every Redis key the gateway writes; default {@code aoaigw:}
 * @param onRedisDown what happens while Redis cannot be reached: {@code local} (default: each replica enforces the
 *                    limits alone and returns to shared counting when Redis is back) or {@code reject} (limited keys
 *                    get 503 {@code shared_state_unavailable})
 */
public record SharedStateSettings(String mode, Secret redisUrl, String keyPrefix, String onRedisDown) {
    /** Fills defaults for missing values. */
    public SharedStateSettings {
        mode = Defaults.str(mode, "local");
        redisUrl = Defaults.secret(redisUrl);
        keyPrefix = Defaults.str(keyPrefix, "aoaigw:");
        onRedisDown = Defaults.str(onRedisDown, "local");
    }

    /** @return the defaults (local mode) */
    public static SharedStateSettings defaults() {
        return new SharedStateSettings(null, null, null, null);
    }

    /** @return true in mode {@code redis} */
    public boolean redis() {
        return "redis".equals(mode);
    }
}
