package com.aoaigw.proxy;

import io.helidon.config.Config;
import io.helidon.logging.common.LogConfig;

/** Starts the proxy: read the process settings, start the server. */
public final class Main {
    private Main() {
    }

    /**
     * @param args unused
     */
    public static void main(String[] args) {
        LogConfig.configureRuntime();
        Config config = Config.create();
        ProcessSettings settings = ProcessSettings.from(config);
        java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.parse(
                settings.logLevel().toUpperCase(java.util.Locale.ROOT).replace("DEBUG", "FINE")
                        .replace("WARN", "WARNING").replace("WARNINGING", "WARNING").replace("ERROR", "SEVERE")));
        ProxyServer.start(settings);
    }
}
