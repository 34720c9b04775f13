package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The packaged jar as scripts run it: environment in, one machine-readable line out. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MainIT {

    @Test
    void jarPrintsItsAddressesAndServes() throws Exception {
        Path jar = Path.of("target", "foundry-sim.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            fail("missing " + jar + ": run through mvn verify (the jar is built in the package phase)");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-jar", jar.toString()).redirectErrorStream(true);
        pb.environment().put("SIM_PORT", "0");
        pb.environment().put("SIM_API_KEYS", "first-key,second-key");
        pb.environment().put("SIM_ZERO_LATENCY", "true");
        Process p = Watchdog.killAfter(pb.start(), 50);
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String ready = null;
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < 500 && ready == null; i++) {
                String line = r.readLine();
                if (line == null) {
                    fail("foundry-sim exited before it was ready:\n" + seen);
                }
                seen.append(line).append('\n');
                if (line.startsWith("foundry-sim listening ")) {
                    ready = line;
                }
            }
            assertTrue(ready != null, seen.toString());
            Map<String, String> fields = new HashMap<>();
            for (String part : ready.substring("foundry-sim listening ".length()).split(" ")) {
                int eq = part.indexOf('=');
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
            int port = Integer.parseInt(fields.get("port"));
            assertTrue(port > 0);
            assertTrue(Integer.parseInt(fields.get("tokenPort")) > 0);
            assertEquals("https://127.0.0.1:" + fields.get("tokenPort"), fields.get("authority"));
            assertEquals("http://127.0.0.1:" + port + "/msi/token", fields.get("identityEndpoint"));
            assertTrue(Files.isRegularFile(Path.of(fields.get("trustStore"))));
            assertTrue(!fields.get("identityHeader").isEmpty());

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/openai/v1/chat/completions"))
                    .header("api-key", "second-key")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
                            + "\"content\":\"hi\"}]}"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, res.statusCode(), res.body());
            HttpResponse<String> denied = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/openai/v1/models"))
                    .header("api-key", "sim-key").timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, denied.statusCode(), "the default key is replaced by SIM_API_KEYS");
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }
}
