package com.aoaigw.caddy;

import java.util.concurrent.CountDownLatch;

import com.aoaigw.config.ConfigStores;
import io.helidon.config.Config;

/**
 * caddy-manager's entry point: reads the process settings (environment variables through Helidon Config), wires
 * the {@link CaddyManager} and runs until SIGTERM, when Caddy is stopped gracefully.
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args ignored
     * @throws InterruptedException when interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        // Netty (under the Azure SDK's HTTP client) would use sun.misc.Unsafe, which JDK 24+ reports with a warning
        // on stderr at the first blob or token call; without it Netty uses plain buffers (this traffic is small).
        // The manifest's Enable-Native-Access covers the other warning (native access). -D on the command line wins.
        if (System.getProperty("io.netty.noUnsafe") == null) {
            System.setProperty("io.netty.noUnsafe", "true");
        }
        // its own lines in the same format as the Caddy lines it forwards (LogLines)
        java.util.logging.Formatter format = LogLines.of(System.getProperty("LOG_FORMAT", System.getenv("LOG_FORMAT")))
                .formatter();
        for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
            h.setFormatter(format);
        }
        Config config = Config.create();
        ManagerSettings settings = ManagerSettings.from(key -> config.get(key).asString().orElse(null));
        ConfigFeed feed = new StoreConfigFeed(ConfigStores.create(settings.store()));
        CaddyManager manager = CaddyManager.create(settings, feed);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            manager.close();
            stopped.countDown();
        }, "caddy-manager-shutdown"));
        manager.start();
        stopped.await();
    }
}
