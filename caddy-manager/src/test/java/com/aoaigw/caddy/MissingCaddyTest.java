package com.aoaigw.caddy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A wrong {@code CADDY_BIN}: the config is refused with a reason that names the binary; nothing crashes. */
@Timeout(30)
class MissingCaddyTest {
    @Test
    void reportsThatCaddyCannotBeRun() throws Exception {
        Path dir = Files.createTempDirectory("caddy-missing");
        try (ReportReceiver receiver = new ReportReceiver()) {
            Path bin = dir.resolve("no-such-caddy");
            Map<String, String> env = CaddyTestSupport.env(dir, bin.toString(), receiver);
            ManagerSettings settings = ManagerSettings.from(env::get);
            Path config = dir.resolve("config.json");
            CaddyTestSupport.writeConfig(config, CaddyTestSupport.caddy(true, "localhost", "internal",
                    CaddyTestSupport.freePort(), CaddyTestSupport.freePort(), CaddyTestSupport.freePort(), 3000));
            try (CaddyManager manager = CaddyManager.create(settings, CaddyTestSupport.feed(config))) {
                manager.start();
                JsonNode r = receiver.await("a refused config", n -> n.at("/config/state").asText().equals("refused"),
                        Duration.ofSeconds(20)).report();
                String error = r.at("/config/error").asText();
                assertTrue(error.startsWith("cannot run '" + bin + " adapt'"), error);
                assertEquals("stopped", r.at("/process/state").asText());
                assertFalse(Files.exists(settings.caddyfile()));
            }
        } finally {
            CaddyTestSupport.deleteTree(dir);
        }
    }
}
