package com.aoaigw.caddy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Shared helpers of the Caddy integration tests: the binary check, free ports, config files, environment. */
final class CaddyTestSupport {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private CaddyTestSupport() {
    }

    /** The Caddy binary ({@code caddy.bin} system property, else {@code caddy} on the PATH); fails when missing. */
    static String caddyBin() {
        String bin = System.getProperty("caddy.bin", "caddy");
        try {
            Process p = new ProcessBuilder(bin, "version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("'" + bin + " version' failed: " + out);
            }
            return bin;
        } catch (IOException e) {
            throw new AssertionError("Caddy is required for this test but '" + bin + "' cannot be run (" + e.getMessage()
                    + "). Install it (Debian: apt-get install caddy; scripts/install-tools.sh does it) or set -Dcaddy.bin.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A port that was free a moment ago (the OS picks it). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The production feed over the shared file store, polling fast (file events usually come first anyway). */
    static ConfigFeed feed(Path config) {
        return new StoreConfigFeed(new com.aoaigw.config.FileConfigStore(config, java.time.Duration.ofMillis(200)));
    }

    /** A {@code server.caddy} block. */
    static ObjectNode caddy(boolean enabled, String domain, String ca, int httpPort, int httpsPort, int adminPort,
                            int upstreamPort) {
        ObjectNode c = MAPPER.createObjectNode();
        c.put("enabled", enabled);
        c.put("domain", domain);
        c.put("ca", ca);
        c.put("httpPort", httpPort);
        c.put("httpsPort", httpsPort);
        c.put("adminAddress", "127.0.0.1:" + adminPort);
        c.put("upstreamHost", "127.0.0.1");
        c.put("upstreamPort", upstreamPort);
        return c;
    }

    /** Writes a config document holding only {@code server.caddy} (atomically, as the stores do). */
    static void writeConfig(Path file, ObjectNode caddy) throws IOException {
        // the smallest document the shared validator accepts, plus the Caddy block under test
        ObjectNode doc = MAPPER.createObjectNode();
        doc.putArray("apiKeys").addObject().put("id", "team-a").put("key", "k-0123456789abcdef");
        doc.putArray("upstreams").addObject().put("name", "foundry").put("baseUrl", "https://myres.openai.azure.com/");
        doc.putArray("models").addObject().put("id", "gpt-5-mini").put("upstream", "foundry");
        doc.putObject("server").set("caddy", caddy);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The environment of a test manager: fast intervals, loopback only, everything under {@code dir}. */
    static Map<String, String> env(Path dir, String caddyBin, ReportReceiver receiver) {
        Map<String, String> env = new HashMap<>();
        env.put("CONFIG_PATH", dir.resolve("config.json").toString());
        env.put("CADDY_DATA_DIR", dir.resolve("caddy").toString());
        env.put("CADDY_BIN", caddyBin);
        env.put("PROXY_ADMIN_URL", receiver.url().toString());
        env.put("CADDY_MANAGER_TOKEN", "test-token-5f2c");
        env.put("CADDY_REPORT_INTERVAL_MS", "1000");
        env.put("CADDY_PROBE_INTERVAL_MS", "1000");
        env.put("CADDY_DEFAULT_BIND", "127.0.0.1");
        env.put("CADDY_FORWARD_LOGS", "false");
        return env;
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a temp dir
        }
    }
}
