package com.aoaigw.caddy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

import com.aoaigw.config.Secret;
import com.aoaigw.config.SharedTokenFile;
import com.aoaigw.config.StoreSettings;
import com.aoaigw.config.caddy.RenderOptions;

/**
 * caddy-manager's process settings, from environment variables (documented in {@code caddy-manager/README.md}).
 *
 * @param caddyBin           the Caddy binary ({@code CADDY_BIN}; default {@code caddy} on the PATH)
 * @param dataDir            Caddy's storage root, also holding the last good Caddyfile and Caddy's XDG directories
 *                           ({@code CADDY_DATA_DIR}; default {@code caddy/} next to the config file)
 * @param proxyAdminUrl      where reports go ({@code PROXY_ADMIN_URL}; default {@code http://127.0.0.1:3000})
 * @param token              the shared secret for reports ({@code CADDY_MANAGER_TOKEN}; when unset, the token in the
 *                           file {@code CADDY_MANAGER_TOKEN_FILE}, created by whichever process starts first)
 * @param reportInterval     how often a report is sent even without a change ({@code CADDY_REPORT_INTERVAL_MS};
 *                           default 30000)
 * @param probeInterval      how often Caddy's admin API is probed ({@code CADDY_PROBE_INTERVAL_MS}; default 5000)
 * @param defaultBind        global {@code default_bind} ({@code CADDY_DEFAULT_BIND}; default unset = all interfaces)
 * @param acmeCaUrl          ACME directory replacing Let's Encrypt ({@code CADDY_ACME_CA_URL}; default unset)
 * @param skipInstallTrust   render {@code skip_install_trust} ({@code CADDY_SKIP_INSTALL_TRUST}; default true)
 * @param forwardLogs        copy Caddy's log lines to caddy-manager's stderr ({@code CADDY_FORWARD_LOGS};
 *                           default true)
 * @param store              where the config document lives (the shared store variables)
 */
public record ManagerSettings(String caddyBin,
                              Path dataDir,
                              URI proxyAdminUrl,
                              Secret token,
                              Duration reportInterval,
                              Duration probeInterval,
                              String defaultBind,
                              String acmeCaUrl,
                              boolean skipInstallTrust,
                              boolean forwardLogs,
                              StoreSettings store) {

    /**
     * @param env variable lookup (Helidon Config's view of the environment in {@link Main})
     * @return the settings
     */
    public static ManagerSettings from(Function<String, String> env) {
        StoreSettings store = StoreSettings.from(env);
        String dataDir = value(env, "CADDY_DATA_DIR", null);
        Path data = dataDir != null ? Path.of(dataDir)
                : parentOf(Path.of(store.configPath())).resolve("caddy");
        return new ManagerSettings(
                value(env, "CADDY_BIN", "caddy"),
                data.toAbsolutePath().normalize(),
                URI.create(value(env, "PROXY_ADMIN_URL", "http://127.0.0.1:3000")),
                SharedTokenFile.resolve(env),
                Duration.ofMillis(millis(env, "CADDY_REPORT_INTERVAL_MS", 30000)),
                Duration.ofMillis(millis(env, "CADDY_PROBE_INTERVAL_MS", 5000)),
                value(env, "CADDY_DEFAULT_BIND", null),
                value(env, "CADDY_ACME_CA_URL", null),
                !"false".equalsIgnoreCase(value(env, "CADDY_SKIP_INSTALL_TRUST", "true")),
                !"false".equalsIgnoreCase(value(env, "CADDY_FORWARD_LOGS", "true")),
                store);
    }

    /** @return the Caddyfile Caddy runs: the last good one (deleted when Caddy is disabled) */
    public Path caddyfile() {
        return dataDir.resolve("Caddyfile");
    }

    /** @return where a candidate Caddyfile is written for {@code caddy adapt} */
    public Path candidate() {
        return dataDir.resolve("Caddyfile.candidate");
    }

    /** @return how to run Caddy, with its XDG directories under the data directory */
    public CaddyCommand command() {
        return new CaddyCommand(caddyBin, dataDir.resolve("xdg").resolve("config"), dataDir.resolve("xdg").resolve("data"));
    }

    /** @return the renderer's process-level inputs */
    public RenderOptions renderOptions() {
        return new RenderOptions(dataDir.toString(), defaultBind, skipInstallTrust, acmeCaUrl, null);
    }

    private static Path parentOf(Path p) {
        Path abs = p.toAbsolutePath();
        return abs.getParent() == null ? abs : abs.getParent();
    }

    private static String value(Function<String, String> env, String key, String fallback) {
        String v = env.apply(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static long millis(Function<String, String> env, String key, long fallback) {
        String v = env.apply(key);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v.trim());
            return n > 0 ? n : fallback;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " is '" + v + "'; use a positive number of milliseconds", e);
        }
    }
}
