package com.aoaigw.proxy;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;
import io.helidon.service.registry.Services;

/** Starts the proxy: read the process settings, start the server. */
public final class Main {
    private Main() {
    }

    /**
     * @param args none to start the proxy; {@code check-config [FILE]} or {@code reset-admin-password} for a
     *             one-shot command (see {@link Commands})
     */
    public static void main(String[] args) {
        // Netty (under the Azure SDK's HTTP client) would use sun.misc.Unsafe, which JDK 24+ reports with a warning
        // on stderr at the first blob or token call; without it Netty uses plain buffers (this traffic is small).
        // The manifest's Enable-Native-Access covers the other warning (native access). -D on the command line wins.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
        if (args.length > 0) {
            // one-shot operator commands: no server, no Helidon config (a quick start), only warnings in the log
            java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
            System.exit(Commands.run(args, k -> {
                String v = System.getProperty(k, System.getenv(k));
                return v == null || v.isBlank() ? null : v;
            }, System.out, System.err));
        }
        // JDK and library caches that do not depend on the settings, filled on a second core meanwhile
        StartupWarmup.start();
        LogConfig.configureRuntime();
        Config config = Config.create();
        // Helidon's own parts (metrics, webclient, webserver) look the config up in the service registry, which would
        // otherwise build a second one from the same sources (about 0.2 s of start-up CPU; README "Start-up and memory")
        Services.set(Config.class, config);
        ProcessSettings settings = ProcessSettings.from(config);
        java.util.logging.Logger.getLogger("").setLevel(julLevel(settings.logLevel()));
        try {
            ProxyServer.start(settings);
        } catch (ProxyServer.ListenFailedException e) {
            // one line, no stack trace: the common case is a port another process holds
            System.out.flush();
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * @param level a LOG_LEVEL value (TRACE, DEBUG, INFO, WARN, ERROR, or a java.util.logging level name)
     * @return the JUL level; INFO when the value is not understood
     */
    static java.util.logging.Level julLevel(String level) {
        String l = level == null ? "INFO" : level.trim().toUpperCase(java.util.Locale.ROOT);
        return switch (l) {
            case "TRACE" -> java.util.logging.Level.FINEST;
            case "DEBUG" -> java.util.logging.Level.FINE;
            case "WARN", "WARNING" -> java.util.logging.Level.WARNING;
            case "ERROR", "SEVERE" -> java.util.logging.Level.SEVERE;
            case "OFF" -> java.util.logging.Level.OFF;
            default -> {
                try {
                    yield java.util.logging.Level.parse(l);
                } catch (IllegalArgumentException e) {
                    yield java.util.logging.Level.INFO;
                }
            }
        };
    }
}
