package com.aoaigw.proxy;

import java.security.KeyStore;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Start-up work that depends on nothing the proxy configures, done on a second thread while the main thread
 * configures logging and reads the settings and the config (README "Start-up and memory"). Each step fills a JDK- or
 * library-wide cache that the main thread would otherwise fill itself a little later, on its way to ready; the main
 * thread then finds it filled, or waits for the step in progress (class initialisation, the registry and the trust
 * store cache are locked), so nothing is done twice and nothing changes but when it happens. In the order the main
 * thread needs them:
 * <ul>
 *   <li>Helidon's media-type detectors (class-path metadata), which the process Config uses to find its sources;</li>
 *   <li>Helidon's service registry (class-path service descriptors), to which Main hands the process Config;</li>
 *   <li>the JDK's default trust store (parsing its ~150 CA certificates), from which the upstream WebClient builds
 *   its TLS context;</li>
 *   <li>Jackson's ObjectMapper class (its default date format initialises the JDK calendar and locale data);</li>
 *   <li>the ImageIO plugin registry (a class-path scan), which the inline image compressor needs.</li>
 * </ul>
 * A step that fails is skipped: the main thread does the same work later and reports a failure where it matters.
 */
final class StartupWarmup {
    private StartupWarmup() {
    }

    /** Starts the warm-up on a daemon thread; returns at once. */
    static void start() {
        Thread t = new Thread(StartupWarmup::run, "startup-warmup");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        step(() -> io.helidon.common.media.type.MediaTypes.detectExtensionType("yaml"));
        step(io.helidon.service.registry.GlobalServiceRegistry::registry);
        step(() -> {
            TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init((KeyStore) null);
            SSLContext.getInstance("TLS");
        });
        step(com.fasterxml.jackson.databind.ObjectMapper::new);
        step(javax.imageio.ImageIO::getUseCache);
    }

    private static void step(Step step) {
        try {
            step.run();
        } catch (Exception | LinkageError e) {
            // done again, and reported if it fails again, where it is needed
        }
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }
}
