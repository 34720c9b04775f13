package com.aoaigw.proxy.usage;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * The usage history's process settings (environment variables).
 *
 * @param file             {@code USAGE_HISTORY_FILE}: the local-mode snapshot; default {@code usage-history.json.gz}
 *                         in the config file's directory (the data volume)
 * @param snapshotMillis   {@code USAGE_SNAPSHOT_INTERVAL_MS}: how often the snapshot is written while there is new
 *                         usage; default 60,000, allowed 10 to 60,000 (at least once a minute)
 * @param flushMillis      {@code USAGE_FLUSH_INTERVAL_MS}: how often a replica adds its new usage to Redis in
 *                         Redis mode; default 5,000, allowed 10 to 60,000
 */
public record UsageSettings(Path file, long snapshotMillis, long flushMillis) {
    /** The snapshot's file name when {@code USAGE_HISTORY_FILE} is not set. */
    public static final String DEFAULT_FILE = "usage-history.json.gz";

    /**
     * @param env        environment lookup
     * @param configPath the config file's path (its directory holds the snapshot by default)
     * @return the settings
     * @throws IllegalArgumentException when a value is not a number in its range (the message names it)
     */
    public static UsageSettings from(Function<String, String> env, String configPath) {
        String f = env.apply("USAGE_HISTORY_FILE");
        Path file;
        if (f != null && !f.isBlank()) {
            file = Path.of(f.trim());
        } else {
            Path dir = configPath == null ? null : Path.of(configPath).toAbsolutePath().getParent();
            file = dir == null ? Path.of(DEFAULT_FILE) : dir.resolve(DEFAULT_FILE);
        }
        return new UsageSettings(file, millis(env, "USAGE_SNAPSHOT_INTERVAL_MS", 60_000),
                millis(env, "USAGE_FLUSH_INTERVAL_MS", 5_000));
    }

    private static long millis(Function<String, String> env, String name, long def) {
        String v = env.apply(name);
        if (v == null || v.isBlank()) {
            return def;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a number of milliseconds, got '" + v + "'");
        }
        if (n < 10 || n > 60_000) {
            throw new IllegalArgumentException(name + " must be between 10 and 60000 ms, got " + n);
        }
        return n;
    }
}
