package com.aoaigw.caddy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caddy-manager restarts while the config document is broken: Caddy serves the last good Caddyfile of the earlier
 * run, and the report says why the document was refused.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BootFromLastGoodIT {
    @Test
    void servesTheLastGoodCaddyfileWhenTheFirstDocumentIsRefused() throws Exception {
        String bin = CaddyTestSupport.caddyBin();
        Path dir = Files.createTempDirectory("caddy-boot-it");
        List<Long> pids = new ArrayList<>();
        try (TestBackend backend = new TestBackend(); ReportReceiver receiver = new ReportReceiver()) {
            Map<String, String> env = CaddyTestSupport.env(dir, bin, receiver);
            ManagerSettings settings = ManagerSettings.from(env::get);
            Path config = dir.resolve("config.json");
            int httpsPort = CaddyTestSupport.freePort();
            ObjectNode caddy = CaddyTestSupport.caddy(true, "localhost", "internal", CaddyTestSupport.freePort(),
                    httpsPort, CaddyTestSupport.freePort(), backend.port());
            CaddyTestSupport.writeConfig(config, caddy);
            try (CaddyManager first = CaddyManager.create(settings, CaddyTestSupport.feed(config))) {
                first.start();
                JsonNode r = receiver.await("a running Caddy", n -> n.at("/process/state").asText().equals("running")
                        && n.at("/certificates/0/state").asText().equals("valid"), Duration.ofSeconds(20)).report();
                pids.add(r.at("/process/pid").asLong());
            }
            assertTrue(Files.exists(settings.caddyfile()), "the last good Caddyfile stays when the manager stops");

            caddy.put("colour", "blue"); // an unknown key: the strict loader refuses the whole document
            CaddyTestSupport.writeConfig(config, caddy);
            try (CaddyManager second = CaddyManager.create(settings, CaddyTestSupport.feed(config))) {
                second.start();
                JsonNode r = receiver.await("a refused document and a running Caddy", n ->
                        n.at("/config/state").asText().equals("refused")
                                && n.at("/process/state").asText().equals("running"), Duration.ofSeconds(20)).report();
                pids.add(r.at("/process/pid").asLong());
                assertTrue(r.at("/config/error").asText().contains("colour"), r.at("/config/error").asText());
                assertTrue(r.at("/config/caddyfile").asText().contains("localhost:" + httpsPort));
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
