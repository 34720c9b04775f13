package com.aoaigw.proxy;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

import com.aoaigw.config.Secret;
import com.aoaigw.config.StoreSettings;
import com.aoaigw.proxy.upstream.PoolOverrides;

import io.helidon.config.Config;

/**
 * Process-level settings, read through Helidon Config (environment and system properties over the classpath
 * {@code application.yaml}). The config document is separate: it comes from {@link #store()}.
 *
 * @param port               {@code PORT}: overrides {@code server.port} of the document; 0 asks the OS; null keeps it
 * @param host               {@code HOST}: overrides {@code server.host}; null keeps it
 * @param bodyLimit          {@code BODY_LIMIT} (alias {@code SERVER_BODY_LIMIT}): largest request body in bytes;
 *                           default 52428800
 * @param adminLogBufferSize {@code ADMIN_LOG_BUFFER_SIZE}: entries kept for the admin log view; default 1000
 * @param logLevel           {@code LOG_LEVEL}: root log level; default INFO
 * @param store              where the config document lives ({@code CONFIG_PATH}, {@code PERSISTENCE_MODE}, ...)
 * @param caddyManagerToken  {@code CADDY_MANAGER_TOKEN}: shared secret of caddy-manager's internal calls; when unset,
 *                           the token in the file {@code CADDY_MANAGER_TOKEN_FILE} (created on first start)
 * @param configPollMs       {@code CONFIG_POLL_MS}: how often the config file is checked for changes; default 1000
 * @param forwardHeaders     {@code UPSTREAM_FORWARD_HEADERS}: extra client headers forwarded to Azure, comma-separated
 *                           names or prefixes ending with {@code *} (e.g. {@code x-ms-client-request-id,x-sim-*});
 *                           default none. Credentials, cookies and hop-by-hop headers are never forwarded.
 * @param poolOverrides      the original's {@code UPSTREAM_MAX_CONNECTIONS}, {@code UPSTREAM_KEEPALIVE_TIMEOUT_MS}, ...
 *                           overriding {@code server.upstream.pool} of every config version; default none
 * @param connectionTimeouts {@code REQUEST_HEAD_TIMEOUT_MS} and {@code KEEP_ALIVE_IDLE_TIMEOUT_MS}: how long a client
 *                           connection may take to finish a request head, and stay silent between requests
 * @param usage              {@code USAGE_HISTORY_FILE}, {@code USAGE_SNAPSHOT_INTERVAL_MS}, {@code
 *                           USAGE_FLUSH_INTERVAL_MS}: the usage history's snapshot file and intervals
 */
public record ProcessSettings(Integer port,
                              String host,
                              long bodyLimit,
                              int adminLogBufferSize,
                              String logLevel,
                              StoreSettings store,
                              Secret caddyManagerToken,
                              long configPollMs,
                              java.util.List<String> forwardHeaders,
                              PoolOverrides poolOverrides,
                              ConnectionTimeouts connectionTimeouts,
                              com.aoaigw.proxy.usage.UsageSettings usage) {
    /** The default body limit (50 MiB). */
    public static final long DEFAULT_BODY_LIMIT = 52_428_800L;

    /**
     * @param config Helidon config (environment, system properties, application.yaml)
     * @return the settings
     */
    public static ProcessSettings from(Config config) {
        Function<String, String> env = k -> config.get(k).asString().filter(s -> !s.isBlank()).orElse(null);
        return from(env);
    }

    /**
     * @param env variable lookup
     * @return the settings
     */
    public static ProcessSettings from(Function<String, String> env) {
        String limit = Optional.ofNullable(env.apply("BODY_LIMIT")).orElse(env.apply("SERVER_BODY_LIMIT"));
        StoreSettings store = StoreSettings.from(env);
        return new ProcessSettings(
                integer(env.apply("PORT"), null),
                env.apply("HOST"),
                limit == null ? DEFAULT_BODY_LIMIT : Long.parseLong(limit.trim()),
                integer(env.apply("ADMIN_LOG_BUFFER_SIZE"), 1000),
                Optional.ofNullable(env.apply("LOG_LEVEL")).orElse("INFO"),
                store,
                com.aoaigw.config.SharedTokenFile.resolve(env),
                Optional.ofNullable(integer(env.apply("CONFIG_POLL_MS"), null)).map(Integer::longValue).orElse(1000L),
                Optional.ofNullable(env.apply("UPSTREAM_FORWARD_HEADERS"))
                        .map(v -> java.util.Arrays.stream(v.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList())
                        .orElse(java.util.List.of()),
                PoolOverrides.from(env),
                new ConnectionTimeouts(
                        positive("REQUEST_HEAD_TIMEOUT_MS", env, ConnectionTimeouts.DEFAULT_REQUEST_HEAD_MS),
                        positive("KEEP_ALIVE_IDLE_TIMEOUT_MS", env, ConnectionTimeouts.DEFAULT_KEEP_ALIVE_IDLE_MS)),
                com.aoaigw.proxy.usage.UsageSettings.from(env, store.configPath()));
    }

    private static long positive(String name, Function<String, String> env, long dflt) {
        String v = env.apply(name);
        if (v == null) {
            return dflt;
        }
        long ms = Long.parseLong(v.trim());
        if (ms <= 0) {
            throw new IllegalArgumentException(name + " must be a positive number of milliseconds, got " + v.trim());
        }
        return ms;
    }

    /**
     * Limits on client connections that are not busy with a request.
     *
     * @param requestHeadMs   a request head (request line and headers) must be complete this long after its request
     *                        line arrived, else the connection is closed; default 30000
     * @param keepAliveIdleMs a connection with no request in progress (a new one that sent nothing yet, a keep-alive
     *                        one between requests, one sending its request line) is closed after this long; default
     *                        180000, longer than the 120 s Caddy keeps its idle connections to the proxy, so that it is
     *                        always Caddy that closes a connection it pools, never the proxy under Caddy's feet
     */
    public record ConnectionTimeouts(long requestHeadMs, long keepAliveIdleMs) {
        /** Default of {@code REQUEST_HEAD_TIMEOUT_MS}. */
        public static final long DEFAULT_REQUEST_HEAD_MS = 30_000;
        /** Default of {@code KEEP_ALIVE_IDLE_TIMEOUT_MS}. */
        public static final long DEFAULT_KEEP_ALIVE_IDLE_MS = 180_000;
    }

    /**
     * @param timeouts client connection timeouts
     * @return a copy with these timeouts
     */
    public ProcessSettings withConnectionTimeouts(ConnectionTimeouts timeouts) {
        return new ProcessSettings(port, host, bodyLimit, adminLogBufferSize, logLevel, store, caddyManagerToken,
                configPollMs, forwardHeaders, poolOverrides, timeouts, usage);
    }

    /**
     * Settings for tests: the given config file, port 0 on 127.0.0.1, defaults otherwise.
     *
     * @param configFile the config document
     * @return the settings
     */
    public static ProcessSettings forTest(Path configFile) {
        return from(k -> switch (k) {
            case "CONFIG_PATH" -> configFile.toString();
            case "PORT" -> "0";
            case "HOST" -> "127.0.0.1";
            case "CONFIG_POLL_MS" -> "200";
            default -> null;
        });
    }

    /**
     * @param newLimit body limit
     * @return a copy with another body limit
     */
    public ProcessSettings withBodyLimit(long newLimit) {
        return new ProcessSettings(port, host, newLimit, adminLogBufferSize, logLevel, store, caddyManagerToken,
                configPollMs, forwardHeaders, poolOverrides, connectionTimeouts, usage);
    }

    /**
     * @param headers extra forwarded client headers (names or prefixes ending with {@code *})
     * @return a copy with these forwarded headers
     */
    public ProcessSettings withForwardHeaders(java.util.List<String> headers) {
        return new ProcessSettings(port, host, bodyLimit, adminLogBufferSize, logLevel, store, caddyManagerToken,
                configPollMs, java.util.List.copyOf(headers), poolOverrides, connectionTimeouts, usage);
    }

    private static Integer integer(String v, Integer dflt) {
        return v == null ? dflt : Integer.valueOf(v.trim());
    }
}
