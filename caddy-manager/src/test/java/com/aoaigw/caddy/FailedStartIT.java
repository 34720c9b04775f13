package com.aoaigw.caddy;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Caddy cannot start (its HTTPS port is taken): the report says {@code failed} with Caddy's reason, the supervisor
 * keeps retrying with backoff, and Caddy runs as soon as the port is free.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailedStartIT {
    @Test
    void reportsTheFailureAndStartsOnceThePortIsFree() throws Exception {
        String bin = CaddyTestSupport.caddyBin();
        Path dir = Files.createTempDirectory("caddy-failed-it");
        List<Long> pids = new ArrayList<>();
        try (TestBackend backend = new TestBackend(); ReportReceiver receiver = new ReportReceiver()) {
            Map<String, String> env = CaddyTestSupport.env(dir, bin, receiver);
            ManagerSettings settings = ManagerSettings.from(env::get);
            Path config = dir.resolve("config.json");
            ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            int httpsPort = squatter.getLocalPort();
            CaddyTestSupport.writeConfig(config, CaddyTestSupport.caddy(true, "localhost", "internal",
                    CaddyTestSupport.freePort(), httpsPort, CaddyTestSupport.freePort(), backend.port()));
            try (CaddyManager manager = CaddyManager.create(settings, CaddyTestSupport.feed(config))) {
                manager.start();
                JsonNode failed;
                try {
                    failed = receiver.await("a failed start", n -> n.at("/process/state").asText().equals("failed"),
                            Duration.ofSeconds(20)).report();
                } finally {
                    squatter.close();
                }
                assertTrue(failed.at("/process/lastError").asText().contains("address already in use"),
                        failed.at("/process/lastError").asText());
                JsonNode running = receiver.await("Caddy running after the port was freed",
                        n -> n.at("/process/state").asText().equals("running"), Duration.ofSeconds(20)).report();
                pids.add(running.at("/process/pid").asLong());
                assertTrue(running.at("/process/restarts").asInt() >= 1);
                assertEquals("applied", running.at("/config/state").asText());
                TlsTestClient client = new TlsTestClient(settings.dataDir().resolve("pki/authorities/local/root.crt"),
                        "localhost", httpsPort);
                assertEquals(200, client.get("/healthz").status());
            }
        } finally {
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            CaddyTestSupport.deleteTree(dir);
        }
    }
}
