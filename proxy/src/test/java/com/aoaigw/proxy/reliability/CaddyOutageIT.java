package com.aoaigw.proxy.reliability;

import com.aoaigw.config.Azurite;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The front door failing: a real Caddy (reverse proxy in front of the proxy) is killed, and caddy-manager stops
 * reporting. The proxy keeps serving directly, and the admin TLS endpoint says the report is stale.
 *
 * <p>caddy-manager itself is packaged after the proxy's integration tests run (reactor order), so its death is
 * reproduced by what the proxy observes of it: reports posted to {@code /internal/caddy/report} with the token,
 * then none. The proxy is the production one, its admin area on a clock the test advances past the 90 s staleness
 * threshold instead of sleeping.
 */
@Timeout(120)
class CaddyOutageIT {
    static final String TOKEN = "caddy-outage-token-7731";
    static final String KEY = "caddy-client-key";

    @TempDir
    Path dir;

    /** A clock the test moves forward. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

        void advance(Duration d) {
            offset.updateAndGet(o -> o.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(offset.get());
        }
    }

    @Test
    void proxyKeepsServingWhenCaddyAndCaddyManagerDie() throws Exception {
        try (FoundrySim sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .strictDeployments(false).build())) {
            Path config = dir.resolve("config.json");
            Files.writeString(config, """
                    {"server":{"adminAuth":{"username":"operator","password":"Caddy-Outage-Pw-2209"}},
                     "auth":{"mode":"apiKey","apiKey":"sim-key"},
                     "apiKeys":[{"id":"c","key":"%s"}],
                     "upstreams":[{"name":"sim","baseUrl":"%s"}],
                     "models":[{"id":"gpt-4o-mini","upstream":"sim"}]}
                    """.formatted(KEY, sim.baseUrl()));
            Map<String, String> env = Map.of("CONFIG_PATH", config.toString(), "CADDY_MANAGER_TOKEN", TOKEN,
                    "HOST", "127.0.0.1", "PORT", "0");
            ProcessSettings settings = ProcessSettings.from(env::get);
            MovableClock clock = new MovableClock();
            ProxyServer server = ProxyServer.start(settings, clock);
            Process caddy = null;
            try {
                String direct = "http://127.0.0.1:" + server.port();
                int caddyPort = Azurite.freePort();
                caddy = startCaddy(caddyPort, server.port());
                String front = "http://127.0.0.1:" + caddyPort;

                // caddy-manager reports; the admin page shows a fresh report
                Timed posted = Rig.post(direct + "/internal/caddy/report", TOKEN,
                        "{\"reportedAt\":\"" + Instant.now() + "\",\"enabled\":true,"
                                + "\"process\":{\"state\":\"running\",\"restarts\":0}}");
                assertEquals(204, posted.status(), posted.body());
                assertFalse(tls(direct).path("stale").asBoolean(true), tls(direct).toString());

                // traffic through Caddy works
                Timed via = Rig.post(front + "/v1/chat/completions", KEY, Rig.chat("gpt-4o-mini", false));
                assertEquals(200, via.status(), via.body());

                // Caddy is killed: the front door is gone, the proxy serves direct traffic
                caddy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                assertFalse(listening(caddyPort), "Caddy is gone");
                for (boolean stream : new boolean[] {false, true, false}) {
                    Timed t = Rig.post(direct + "/v1/chat/completions", KEY, Rig.chat("gpt-4o-mini", stream));
                    assertEquals(200, t.status(), t.body());
                }
                assertEquals(200, Rig.get(direct + "/healthz").status());

                // caddy-manager is killed too: no more reports. 91 s later the TLS endpoint says stale
                clock.advance(Duration.ofSeconds(91));
                JsonNode stale = tls(direct);
                assertTrue(stale.path("stale").asBoolean(false), stale.toString());
                assertTrue(stale.path("message").asText().contains("not reporting"), stale.toString());
                assertTrue(stale.path("ageSeconds").asLong() >= 90, stale.toString());
                Timed still = Rig.post(direct + "/v1/chat/completions", KEY, Rig.chat("gpt-4o-mini", false));
                assertEquals(200, still.status(), still.body());

                // caddy-manager comes back: fresh again
                assertEquals(204, Rig.post(direct + "/internal/caddy/report", TOKEN,
                        "{\"reportedAt\":\"" + clock.instant() + "\",\"enabled\":true}").status());
                assertFalse(tls(direct).path("stale").asBoolean(true));
            } finally {
                if (caddy != null) {
                    caddy.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                server.close();
            }
        }
    }

    private JsonNode tls(String base) {
        Timed t = Rig.get(base + "/admin/api/tls", "authorization", "Basic " + java.util.Base64.getEncoder()
                .encodeToString("operator:Caddy-Outage-Pw-2209".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(200, t.status(), t.body());
        return Rig.openJson(t.body());
    }

    private Process startCaddy(int port, int upstreamPort) throws IOException {
        Path caddyfile = dir.resolve("Caddyfile");
        Files.writeString(caddyfile, """
                {
                	admin off
                	auto_https off
                }
                http://127.0.0.1:%d {
                	reverse_proxy 127.0.0.1:%d
                }
                """.formatted(port, upstreamPort));
        ProcessBuilder pb = new ProcessBuilder("caddy", "run", "--adapter", "caddyfile", "--config",
                caddyfile.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("caddy.log").toFile());
        pb.environment().put("XDG_DATA_HOME", dir.resolve("data").toString());
        pb.environment().put("XDG_CONFIG_HOME", dir.resolve("conf").toString());
        pb.environment().put("HOME", dir.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("caddy is not on PATH (scripts/install-tools.sh installs it)", e);
        }
        Process started = p;
        Rig.await("Caddy to listen (see caddy.log)", 20_000, () -> listening(port) || !started.isAlive());
        if (!p.isAlive()) {
            throw new AssertionError("caddy exited: " + readQuietly(dir.resolve("caddy.log")));
        }
        return p;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
