package com.aoaigw.caddy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged {@code caddy-manager.jar} as a process, configured only by environment variables: it starts Caddy,
 * reports, and on SIGTERM stops Caddy gracefully and exits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainIT {
    @Test
    void runsFromTheEnvironmentAndStopsCaddyOnSigterm() throws Exception {
        String bin = CaddyTestSupport.caddyBin();
        Path jar = Path.of("target", "caddy-manager.jar");
        assertTrue(Files.isRegularFile(jar), "build the jar first (mvn verify packages it before this test)");
        Path dir = Files.createTempDirectory("caddy-main-it");
        Process manager = null;
        Long caddyPid = null;
        try (TestBackend backend = new TestBackend(); ReportReceiver receiver = new ReportReceiver()) {
            Map<String, String> env = CaddyTestSupport.env(dir, bin, receiver);
            env.remove("CADDY_FORWARD_LOGS");
            Path config = dir.resolve("config.json");
            CaddyTestSupport.writeConfig(config, CaddyTestSupport.caddy(true, "localhost", "internal",
                    CaddyTestSupport.freePort(), CaddyTestSupport.freePort(), CaddyTestSupport.freePort(),
                    backend.port()));
            String java = ProcessHandle.current().info().command().orElse("java");
            ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString());
            pb.environment().putAll(env);
            Path log = dir.resolve("manager.log");
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            manager = pb.start();

            JsonNode r = receiver.await("a running Caddy", n -> n.at("/process/state").asText().equals("running")
                    && n.at("/certificates/0/state").asText().equals("valid"), Duration.ofSeconds(30)).report();
            caddyPid = r.at("/process/pid").asLong();
            assertTrue(Files.exists(dir.resolve("caddy").resolve("Caddyfile")));

            manager.destroy(); // SIGTERM
            assertTrue(manager.waitFor(25, TimeUnit.SECONDS), "caddy-manager did not exit after SIGTERM");
            long pid = caddyPid;
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "Caddy still runs");
            String out = Files.readString(log);
            // Caddy's own log (forwarded by default) shows it stopped gracefully, not killed
            assertTrue(out.contains(" shutdown complete"), out);
            // one format for its own lines and Caddy's (text by default): no raw Caddy JSON
            assertTrue(!out.contains("\"msg\":"), out);
            JsonNode last = receiver.all().getLast().report();
            assertEquals("stopped", last.at("/process/state").asText(), last.toString());
        } finally {
            if (manager != null) {
                manager.destroyForcibly();
            }
            if (caddyPid != null) {
                ProcessHandle.of(caddyPid).ifPresent(ProcessHandle::destroyForcibly);
            }
            CaddyTestSupport.deleteTree(dir);
        }
    }
}
