package com.aoaigw.caddy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * caddy-manager against the real Caddy 2.6.2: one manager and one Caddy for the class, the steps in order
 * (start and report, SSE through HTTPS, reload under an open stream, a refused config, kill -9, disable).
 * Internal CA, loopback only, ephemeral ports, everything in a temp dir.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 40, unit = TimeUnit.SECONDS)
class CaddyManagerIT {
    private static final String DOMAIN = "localhost";

    private Path dir;

    private TestBackend backend;
    private ReportReceiver receiver;
    private CaddyManager manager;
    private ManagerSettings settings;
    private Path configFile;
    private ObjectNode caddy;
    private int httpsPort;
    private int httpPort;
    private int adminPort;
    private final List<Long> pids = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws Exception {
        String bin = CaddyTestSupport.caddyBin();
        dir = Files.createTempDirectory("caddy-manager-it");
        backend = new TestBackend();
        receiver = new ReportReceiver();
        Map<String, String> env = CaddyTestSupport.env(dir, bin, receiver);
        settings = ManagerSettings.from(env::get);
        configFile = dir.resolve("config.json");
        httpsPort = CaddyTestSupport.freePort();
        httpPort = CaddyTestSupport.freePort();
        adminPort = CaddyTestSupport.freePort();
        caddy = CaddyTestSupport.caddy(true, DOMAIN, "internal", httpPort, httpsPort, adminPort,
                backend.port());
        CaddyTestSupport.writeConfig(configFile, caddy);
        manager = CaddyManager.create(settings, CaddyTestSupport.feed(configFile));
        manager.start();
    }

    @AfterAll
    void stop() {
        try {
            if (manager != null) {
                manager.close();
            }
        } finally {
            // never leave a Caddy behind, whatever happened above
            for (long pid : pids) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            if (backend != null) {
                backend.close();
            }
            if (receiver != null) {
                receiver.close();
            }
            CaddyTestSupport.deleteTree(dir);
        }
    }

    @Test
    @Order(1)
    void startsCaddyAndReportsAValidInternalCertificate() throws Exception {
        JsonNode r = awaitReport("a valid certificate and a running Caddy", n ->
                n.at("/process/state").asText().equals("running")
                        && n.at("/config/state").asText().equals("applied")
                        && n.at("/certificates/0/state").asText().equals("valid")).report();
        pids.add(r.at("/process/pid").asLong());
        assertTrue(r.at("/enabled").asBoolean());
        assertEquals(DOMAIN, r.at("/certificates/0/domain").asText());
        assertTrue(r.at("/certificates/0/issuer").asText().contains("Caddy Local Authority"),
                r.at("/certificates/0/issuer").asText());
        // internal leaves live 12 h: under 14 days, yet reported valid (rule in TlsStateResolver)
        Instant notAfter = Instant.parse(r.at("/certificates/0/notAfter").asText());
        Duration left = Duration.between(Instant.now(), notAfter);
        assertTrue(left.compareTo(Duration.ofHours(11)) > 0 && left.compareTo(Duration.ofHours(13)) < 0, left.toString());
        assertTrue(r.at("/config/caddyfile").asText().contains("admin 127.0.0.1:" + adminPort));

        ReportReceiver.Received any = receiver.all().getLast();
        assertEquals("Bearer test-token-5f2c", any.authorization());
        assertFalse(any.raw().contains("test-token-5f2c"), "a report must not carry the token");

        // the certificate Caddy serves is the one reported
        TlsTestClient.Response health = client().get("/healthz");
        assertEquals(200, health.status());
        assertEquals(notAfter, health.leaf().getNotAfter().toInstant());

        // the HTTP port redirects to HTTPS, keeping the non-standard HTTPS port, the path and the query
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            HttpResponse<Void> redirect = http.send(HttpRequest.newBuilder(
                            URI.create("http://" + DOMAIN + ":" + httpPort + "/v1/models?x=1")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertEquals(308, redirect.statusCode());
            assertEquals("https://" + DOMAIN + ":" + httpsPort + "/v1/models?x=1",
                    redirect.headers().firstValue("Location").orElse(""), redirect.headers().toString());
        }
    }

    @Test
    @Order(2)
    void streamsServerSentEventsEventByEvent() throws Exception {
        List<Long> arrivals = new ArrayList<>();
        List<String> events = new ArrayList<>();
        long t0 = System.nanoTime();
        int status = client().stream("/sse?n=5&gap=300", e -> {
            arrivals.add((System.nanoTime() - t0) / 1_000_000);
            events.add(e);
        });
        assertEquals(200, status);
        assertEquals(List.of("0", "1", "2", "3", "4", "[DONE]"), events);
        for (int i = 1; i < 5; i++) {
            long gap = arrivals.get(i) - arrivals.get(i - 1);
            assertTrue(gap >= 150 && gap <= 1000, "event " + i + " came " + gap + " ms after the previous one; arrivals "
                    + arrivals);
        }
        assertTrue(arrivals.getFirst() < 1000, "first event after " + arrivals.getFirst() + " ms");
    }

    @Test
    @Order(3)
    void reloadKeepsAnOpenStreamAlive() throws Exception {
        String etagBefore = receiver.all().getLast().report().at("/config/appliedEtag").asText();
        List<String> events = new CopyOnWriteArrayList<>();
        CountDownLatch twoEvents = new CountDownLatch(2);
        AtomicInteger status = new AtomicInteger();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                status.set(client().stream("/sse?n=12&gap=300", e -> {
                    events.add(e);
                    twoEvents.countDown();
                }));
            } catch (Exception e) {
                events.add("failed: " + e);
            }
        });
        assertTrue(twoEvents.await(5, TimeUnit.SECONDS), "stream did not start: " + events);

        caddy.putObject("transport").put("responseHeaderTimeoutMs", 61000);
        CaddyTestSupport.writeConfig(configFile, caddy);
        JsonNode r = awaitReport("the reloaded config", n -> n.at("/config/state").asText().equals("applied")
                && n.at("/config/caddyfile").asText().contains("response_header_timeout 61s")).report();
        assertNotEquals(etagBefore, r.at("/config/appliedEtag").asText());
        int seenAtReload = events.size();
        assertTrue(seenAtReload < 13, "the stream ended before the reload was done: " + events);
        // Caddy runs the new config: its admin API shows the new timeout (in nanoseconds)
        String running = adminGet("/config/apps/http/servers");
        assertTrue(running.contains("\"response_header_timeout\":61000000000"), running);
        // same process: a hot load, not a restart
        assertEquals(pids.getLast(), r.at("/process/pid").asLong());

        reader.join(Duration.ofSeconds(15));
        assertEquals(200, status.get());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            expected.add(Integer.toString(i));
        }
        expected.add("[DONE]");
        assertEquals(expected, events, "the stream opened before the reload must complete");
    }

    @Test
    @Order(4)
    void refusesAnInvalidConfigAndKeepsServingTheOldOne() throws Exception {
        JsonNode before = receiver.all().getLast().report();
        String goodEtag = before.at("/config/appliedEtag").asText();
        ObjectNode bad = caddy.deepCopy();
        // an operator pasting the proxy's base URL into upstreamHost: valid JSON, refused by Caddy's parser
        bad.put("upstreamHost", "http://127.0.0.1/v1");
        CaddyTestSupport.writeConfig(configFile, bad);
        JsonNode r = awaitReport("a refused config", n -> n.at("/config/state").asText().equals("refused")).report();
        assertTrue(r.at("/config/error").asText().contains("URLs for proxy upstreams only support scheme, host, and port"),
                r.at("/config/error").asText());
        assertEquals(goodEtag, r.at("/config/appliedEtag").asText());
        assertTrue(r.at("/config/caddyfile").asText().contains(DOMAIN + ":" + httpsPort));
        assertEquals("running", r.at("/process/state").asText());
        assertEquals(200, client().get("/healthz").status());
        assertEquals(pids.getLast(), r.at("/process/pid").asLong());

        CaddyTestSupport.writeConfig(configFile, caddy);
        awaitReport("the good config applied again", n -> n.at("/config/state").asText().equals("applied")
                && n.at("/config/error").isNull());
    }

    @Test
    @Order(5)
    void aConfigCaddyCannotLoadIsRefusedByTheAdminApi() throws Exception {
        String goodEtag = receiver.all().getLast().report().at("/config/appliedEtag").asText();
        ObjectNode clash = caddy.deepCopy();
        // parses fine, but the HTTP port is the proxy's own port: Caddy's /load answers 400 and rolls back
        clash.put("httpPort", backend.port());
        CaddyTestSupport.writeConfig(configFile, clash);
        JsonNode r = awaitReport("a config refused by /load", n -> n.at("/config/state").asText().equals("refused"))
                .report();
        String error = r.at("/config/error").asText();
        assertTrue(error.startsWith("Caddy refused the config (HTTP 400)") && error.contains("address already in use"),
                error);
        assertEquals(goodEtag, r.at("/config/appliedEtag").asText());
        assertEquals(pids.getLast(), r.at("/process/pid").asLong());
        // Caddy 2.6.2 re-provisions the old config after a failed load; for a few tens of milliseconds its TLS
        // handshakes fail (alert internal_error) until the certificate cache is filled again (README, "Life cycle")
        long ms = awaitServing(Duration.ofSeconds(2));
        assertTrue(ms < 2000, "not serving again within 2 s after the rollback");
        // the admin listener did not move (the same admin line is in every config)
        assertTrue(adminGet("/config/").contains("\"https_port\":" + httpsPort));

        CaddyTestSupport.writeConfig(configFile, caddy);
        awaitReport("the good config applied again", n -> n.at("/config/state").asText().equals("applied")
                && n.at("/config/error").isNull());
    }

    @Test
    @Order(6)
    void restartsCaddyAfterKill9() throws Exception {
        long pid = pids.getLast();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("Caddy " + pid + " is gone"));
        long t0 = System.nanoTime();
        assertTrue(handle.destroyForcibly());
        handle.onExit().get(5, TimeUnit.SECONDS);
        Long servingAfter = null;
        for (int i = 0; i < 100 && servingAfter == null; i++) {
            try {
                if (client().get("/healthz").status() == 200) {
                    servingAfter = (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        assertTrue(servingAfter != null && servingAfter < 5000, "serving again after " + servingAfter + " ms");
        JsonNode r = awaitReport("the restarted Caddy", n -> n.at("/process/state").asText().equals("running")
                && n.at("/process/pid").asLong() != pid).report();
        pids.add(r.at("/process/pid").asLong());
        assertTrue(r.at("/process/restarts").asInt() >= 1);
        assertTrue(r.at("/process/lastError").asText().contains("exited"), r.at("/process/lastError").asText());
    }

    @Test
    @Order(7)
    void replacesACaddyWhoseAdminApiStopsAnswering() throws Exception {
        long pid = pids.getLast();
        // a hung Caddy: the process lives, but nothing answers
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
        assertTrue(stop.waitFor(5, TimeUnit.SECONDS) && stop.exitValue() == 0, "kill -STOP failed");
        JsonNode r = awaitReport("a replaced Caddy", n -> n.at("/process/state").asText().equals("running")
                && n.at("/process/pid").asLong() != pid).report();
        pids.add(r.at("/process/pid").asLong());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the hung Caddy must be gone");
        assertEquals(200, client().get("/healthz").status());
    }

    @Test
    @Order(8)
    void disablingStopsCaddyAndRemovesItsFiles() throws Exception {
        long pid = pids.getLast();
        assertTrue(Files.exists(settings.caddyfile()));
        ObjectNode off = caddy.deepCopy();
        off.put("enabled", false);
        CaddyTestSupport.writeConfig(configFile, off);
        JsonNode r = awaitReport("Caddy disabled", n -> n.at("/config/state").asText().equals("disabled")
                && n.at("/process/state").asText().equals("stopped")).report();
        assertFalse(r.at("/enabled").asBoolean());
        assertEquals("disabled", r.at("/certificates/0/state").asText());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "Caddy still runs");
        assertFalse(Files.exists(settings.caddyfile()), "the Caddyfile must be gone");
        assertFalse(Files.exists(settings.command().autosave()), "Caddy's autosave must be gone");
    }

    /** @return milliseconds until {@code /healthz} answered 200 through Caddy, or more than the limit */
    private long awaitServing(Duration limit) throws Exception {
        long t0 = System.nanoTime();
        long deadline = t0 + limit.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client().get("/healthz").status() == 200) {
                    return (System.nanoTime() - t0) / 1_000_000;
                }
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        return limit.toMillis() + 1;
    }

    private ReportReceiver.Received awaitReport(String what, java.util.function.Predicate<JsonNode> match)
            throws InterruptedException {
        return receiver.await(what, match, Duration.ofSeconds(20));
    }

    private TlsTestClient client() throws Exception {
        return new TlsTestClient(settings.dataDir().resolve("pki/authorities/local/root.crt"), DOMAIN, httpsPort);
    }

    private String adminGet(String path) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
