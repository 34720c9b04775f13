package com.aoaigw.proxy.upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.aoaigw.config.UpstreamSettings;

/**
 * The original AOAI-Proxy's environment variables for the upstream connection pool, which override
 * {@code server.upstream.pool} of every config version (the original documented them but never applied them,
 * defect D48). A variable that is not set leaves the document's value.
 *
 * @param connections           {@code UPSTREAM_MAX_CONNECTIONS}: {@code pool.connections}, ≥ 1
 * @param keepAliveTimeoutMs    {@code UPSTREAM_KEEPALIVE_TIMEOUT_MS}: {@code pool.keepAliveTimeoutMs}, > 0
 * @param keepAliveMaxTimeoutMs {@code UPSTREAM_KEEPALIVE_MAX_TIMEOUT_MS}: {@code pool.keepAliveMaxTimeoutMs}, > 0
 * @param headersTimeoutMs      {@code UPSTREAM_HEADERS_TIMEOUT_MS}: {@code pool.headersTimeoutMs}, > 0
 * @param bodyTimeoutMs         {@code UPSTREAM_BODY_TIMEOUT_MS}: {@code pool.bodyTimeoutMs}, ≥ 0 (0 = no limit)
 * @param pipelining            {@code UPSTREAM_PIPELINING}: {@code pool.pipelining}, ≥ 1
 */
public record PoolOverrides(Integer connections,
                            Long keepAliveTimeoutMs,
                            Long keepAliveMaxTimeoutMs,
                            Long headersTimeoutMs,
                            Long bodyTimeoutMs,
                            Integer pipelining) {
    /** No override. */
    public static final PoolOverrides NONE = new PoolOverrides(null, null, null, null, null, null);

    /**
     * @param env variable lookup (null or blank = not set)
     * @return the overrides
     * @throws IllegalArgumentException naming the variable when a value is not a whole number in its range
     */
    public static PoolOverrides from(Function<String, String> env) {
        Long connections = number(env, "UPSTREAM_MAX_CONNECTIONS", 1);
        Long pipelining = number(env, "UPSTREAM_PIPELINING", 1);
        return new PoolOverrides(
                connections == null ? null : Math.toIntExact(connections),
                number(env, "UPSTREAM_KEEPALIVE_TIMEOUT_MS", 1),
                number(env, "UPSTREAM_KEEPALIVE_MAX_TIMEOUT_MS", 1),
                number(env, "UPSTREAM_HEADERS_TIMEOUT_MS", 1),
                number(env, "UPSTREAM_BODY_TIMEOUT_MS", 0),
                pipelining == null ? null : Math.toIntExact(pipelining));
    }

    /**
     * @param settings a document's {@code server.upstream}
     * @return the same settings with the overridden pool values
     */
    public UpstreamSettings apply(UpstreamSettings settings) {
        if (equals(NONE)) {
            return settings;
        }
        UpstreamSettings.Pool p = settings.pool();
        UpstreamSettings.Pool pool = new UpstreamSettings.Pool(
                or(connections, p.connections()), or(keepAliveTimeoutMs, p.keepAliveTimeoutMs()),
                or(keepAliveMaxTimeoutMs, p.keepAliveMaxTimeoutMs()), or(headersTimeoutMs, p.headersTimeoutMs()),
                or(bodyTimeoutMs, p.bodyTimeoutMs()), or(pipelining, p.pipelining()));
        return settings.withPool(pool);
    }

    /** @return the variables that are set, as {@code NAME=value} (for the start-up log) */
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        add(out, "UPSTREAM_MAX_CONNECTIONS", connections);
        add(out, "UPSTREAM_KEEPALIVE_TIMEOUT_MS", keepAliveTimeoutMs);
        add(out, "UPSTREAM_KEEPALIVE_MAX_TIMEOUT_MS", keepAliveMaxTimeoutMs);
        add(out, "UPSTREAM_HEADERS_TIMEOUT_MS", headersTimeoutMs);
        add(out, "UPSTREAM_BODY_TIMEOUT_MS", bodyTimeoutMs);
        add(out, "UPSTREAM_PIPELINING", pipelining);
        return out;
    }

    private static void add(List<String> out, String name, Object value) {
        if (value != null) {
            out.add(name + "=" + value);
        }
    }

    private static <T> T or(T override, T value) {
        return override != null ? override : value;
    }

    private static Long number(Function<String, String> env, String name, long min) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n >= min && n <= Integer.MAX_VALUE) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " is '" + v.trim() + "'; use a whole number of at least " + min
                + " (or unset it to keep server.upstream.pool from the config)");
    }
}
