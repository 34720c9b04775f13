package com.aoaigw.caddy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ca: acme} with the ACME directory on a closed local port ({@code CADDY_ACME_CA_URL}): the report says
 * {@code error}, with Caddy's error and the next retry from its "will retry" line.
 */
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class AcmeUnreachableIT {
    @Test
    void reportsTheAcmeErrorAndTheNextRetry() throws Exception {
        String bin = CaddyTestSupport.caddyBin();
        Path dir = Files.createTempDirectory("caddy-acme-it");
        try (TestBackend backend = new TestBackend(); ReportReceiver receiver = new ReportReceiver()) {
            int closedPort = CaddyTestSupport.freePort();
            Map<String, String> env = CaddyTestSupport.env(dir, bin, receiver);
            env.put("CADDY_ACME_CA_URL", "http://127.0.0.1:" + closedPort + "/directory");
            ManagerSettings settings = ManagerSettings.from(env::get);
            Path config = dir.resolve("config.json");
            var caddy = CaddyTestSupport.caddy(true, "gateway.example.test", "acme", CaddyTestSupport.freePort(),
                    CaddyTestSupport.freePort(), CaddyTestSupport.freePort(), backend.port());
            caddy.put("email", "ops@example.test");
            CaddyTestSupport.writeConfig(config, caddy);
            Long pid = null;
            try (CaddyManager manager = CaddyManager.create(settings,
                    CaddyTestSupport.feed(config))) {
                manager.start();
                Instant started = Instant.now();
                JsonNode r = receiver.await("an ACME error", n -> n.at("/certificates/0/state").asText().equals("error")
                        && !n.at("/certificates/0/nextRetry").isNull(), Duration.ofSeconds(25)).report();
                pid = r.at("/process/pid").asLong();
                assertEquals("running", r.at("/process/state").asText());
                assertEquals("applied", r.at("/config/state").asText());
                assertEquals("gateway.example.test", r.at("/certificates/0/domain").asText());
                String error = r.at("/certificates/0/lastError").asText();
                assertTrue(error.contains("127.0.0.1:" + closedPort) && error.contains("connection refused"), error);
                // Caddy 2.6.2 waits 60 s before its second attempt
                Instant next = Instant.parse(r.at("/certificates/0/nextRetry").asText());
                Duration until = Duration.between(started, next);
                assertTrue(until.compareTo(Duration.ofSeconds(50)) > 0 && until.compareTo(Duration.ofSeconds(90)) < 0,
                        "next retry in " + until);
                assertTrue(r.at("/certificates/0/notAfter").isNull());
            } finally {
                if (pid != null) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } finally {
            CaddyTestSupport.deleteTree(dir);
        }
    }
}
