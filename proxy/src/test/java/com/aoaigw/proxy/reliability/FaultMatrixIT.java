package com.aoaigw.proxy.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.observe.AccessLog;
import com.aoaigw.proxy.observe.AccessRecord;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.proxy.reliability.Rig.Resources;
import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static com.aoaigw.proxy.reliability.Rig.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream fault matrix over real sockets: one foundry-sim and one proxy (started with
 * {@code ProxyServer.start}, {@code x-sim-*} forwarded) for the whole class, tight phase timeouts, and one
 * upstream per network fault. After every case a normal request must succeed and the JVM's platform threads and
 * open file descriptors must come back to the level measured before the first case.
 *
 * <p>Slow connect: a loopback {@link ServerSocket} with backlog 1 that never accepts, whose accept queue is filled
 * by the test; Linux then drops further SYNs (tcp_abort_on_overflow=0), so a new connect hangs until
 * {@code connectTimeoutMs}. No address outside 127.0.0.0/8 is used.
 */
@Timeout(150)
class FaultMatrixIT {
    static final int CONNECT_MS = 600;
    static final int FIRST_BYTE_MS = 1500;
    static final int IDLE_MS = 1000;

    @TempDir
    static Path dir;
    static FoundrySim sim;
    static ProxyServer proxy;
    static ServerSocket blackhole;
    static final List<Socket> queued = new ArrayList<>();
    static Resources baseline;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .strictDeployments(false).build());
        int refusedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusedPort = s.getLocalPort();
        }
        blackhole = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        fillBacklog(blackhole.getLocalPort());
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"upstream":{"connectTimeoutMs":%d,"firstByteTimeoutMs":%d,"idleTimeoutMs":%d,
                   "requestTimeoutMs":20000,"maxRetries":2,"retryBaseMs":50,"retryMaxMs":200,
                   "retryAfterMaxMs":3000}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"rel","key":"rel-client-key"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"},
                   {"name":"refused","baseUrl":"http://127.0.0.1:%d"},
                   {"name":"dns","baseUrl":"http://no-such-upstream.invalid"},
                   {"name":"tlsplain","baseUrl":"https://127.0.0.1:%d"},
                   {"name":"tlsuntrusted","baseUrl":"https://127.0.0.1:%d"},
                   {"name":"blackhole","baseUrl":"http://127.0.0.1:%d"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim"},
                   {"id":"m-refused","upstream":"refused","targetModel":"gpt-4o-mini"},
                   {"id":"m-dns","upstream":"dns","targetModel":"gpt-4o-mini"},
                   {"id":"m-tlsplain","upstream":"tlsplain","targetModel":"gpt-4o-mini"},
                   {"id":"m-tlsuntrusted","upstream":"tlsuntrusted","targetModel":"gpt-4o-mini"},
                   {"id":"m-blackhole","upstream":"blackhole","targetModel":"gpt-4o-mini"}]}
                """.formatted(CONNECT_MS, FIRST_BYTE_MS, IDLE_MS, sim.baseUrl(), refusedPort, sim.port(),
                sim.tokenPort(), blackhole.getLocalPort()));
        proxy = ProxyServer.start(ProcessSettings.forTest(config).withForwardHeaders(List.of("x-sim-*")));
        // warm up both paths so that lazily created pools and threads are part of the baseline
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post("gpt-4o-mini", false).status());
            assertEquals(200, post("gpt-4o-mini", true).status());
        }
        baseline = Resources.now();
    }

    /** Fills the accept queue of a socket that never accepts, so that the next connect hangs. */
    private static void fillBacklog(int port) {
        for (int i = 0; i < 8; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
                queued.add(s);
            } catch (IOException e) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
                return; // the queue is full: this connect already hung
            }
        }
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.close();
        }
        for (Socket s : queued) {
            s.close();
        }
        if (blackhole != null) {
            blackhole.close();
        }
    }

    @AfterEach
    void stillHealthy() {
        Timed ok = post("gpt-4o-mini", false);
        assertEquals(200, ok.status(), ok.body());
        Timed okStream = post("gpt-4o-mini", true);
        assertEquals(200, okStream.status(), okStream.body());
        assertTrue(okStream.body().contains("[DONE]"), okStream.body());
        Resources.settle(baseline, 6, 24);
    }

    static String url() {
        return "http://127.0.0.1:" + proxy.port() + "/v1/chat/completions";
    }

    static Timed post(String model, boolean stream, String... headers) {
        return Rig.post(url(), "rel-client-key", Rig.chat(model, stream), headers);
    }

    /** A unique fault key, so that {@code x-sim-fault-count} counts only this test's requests. */
    static String key() {
        return UUID.randomUUID().toString();
    }

    static long simRequestsFor(String marker) {
        return sim.requests().stream().filter(r -> marker.equals(header(r.headers(), "x-sim-fault-key"))).count();
    }

    private static String header(java.util.Map<String, List<String>> headers, String name) {
        for (var e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().getFirst();
            }
        }
        return null;
    }

    @Test
    void upstreamRefusedIsA502AfterBoundedRetries() {
        Timed t = post("m-refused", false);
        assertError(t, 502, "upstream_connection_refused");
        assertTrue(t.millis() < 3000, "took " + t.millis());
        Timed s = post("m-refused", true);
        assertError(s, 502, "upstream_connection_refused");
    }

    @Test
    void unresolvableHostIsA502() {
        Timed t = post("m-dns", false);
        assertError(t, 502, "upstream_dns_error");
        assertTrue(t.millis() < 5000, "took " + t.millis());
    }

    @Test
    void tlsHandshakeFailuresAre502() {
        // https towards a plain-HTTP port
        assertError(post("m-tlsplain", false), 502, "upstream_tls_error");
        // https towards a TLS server whose self-signed certificate the JVM does not trust
        assertError(post("m-tlsuntrusted", true), 502, "upstream_tls_error");
    }

    @Test
    void slowConnectIsCutByConnectTimeout() {
        Timed t = post("m-blackhole", false);
        assertError(t, 504, "upstream_connect_timeout");
        // three attempts (connect failures are retried: nothing reached Azure) of CONNECT_MS each, plus backoff
        assertTrue(t.millis() >= CONNECT_MS, "took " + t.millis());
        assertTrue(t.millis() < 3 * CONNECT_MS + 3000, "took " + t.millis());
    }

    @Test
    void slowHeadersAreCutByFirstByteTimeoutWithoutRetry() {
        String k = key();
        Timed t = post("gpt-4o-mini", false, "x-sim-fault", "slow-headers", "x-sim-delay-ms", "5000",
                "x-sim-fault-key", k);
        assertError(t, 504, "upstream_first_byte_timeout");
        assertTrue(t.millis() >= FIRST_BYTE_MS - 50 && t.millis() < FIRST_BYTE_MS + 2500, "took " + t.millis());
        assertEquals(1, simRequestsFor(k), "a request that reached the upstream is not retried after a timeout");
    }

    @Test
    void stallBeforeFirstEventIsCutWithAnOpenAiError() {
        Timed t = post("gpt-4o-mini", true, "x-sim-fault", "stall-before-first-event", "x-sim-delay-ms", "5000");
        // the sim's lone "\n" is no event: nothing reached the client, so the first-byte timeout answers a plain 504
        assertError(t, 504, "upstream_first_byte_timeout");
        assertFalse(t.body().contains("data:"), t.body());
        assertTrue(t.millis() >= FIRST_BYTE_MS - 50 && t.millis() < FIRST_BYTE_MS + 2500, "took " + t.millis());
    }

    @Test
    void stallMidStreamEndsTheStreamWithAnErrorEvent() throws Exception {
        Timed t = post("gpt-4o-mini", true, "x-sim-fault", "stall-mid-stream", "x-sim-delay-ms", "5000");
        assertEquals(200, t.status());
        List<String> data = Rig.dataLines(t.body());
        assertTrue(data.size() >= 2, t.body());
        JsonNode last = Rig.JSON.readTree(data.getLast());
        assertEquals("upstream_idle_timeout", Rig.openAiError(data.getLast()).path("code").asText(), t.body());
        assertFalse(t.body().contains("[DONE]"), "no [DONE] after an error: " + t.body());
        assertTrue(last.has("error"));
        assertTrue(t.millis() < IDLE_MS + 3000, "took " + t.millis());
    }

    @Test
    void resetMidStreamEndsTheStreamWithAnErrorEventAndNoRetry() {
        String k = key();
        Timed t = post("gpt-4o-mini", true, "x-sim-fault", "reset-mid-stream", "x-sim-fault-key", k);
        assertEquals(200, t.status());
        List<String> data = Rig.dataLines(t.body());
        String code = Rig.openAiError(data.getLast()).path("code").asText();
        assertTrue(code.startsWith("upstream_"), t.body());
        assertFalse(t.body().contains("[DONE]"), t.body());
        assertEquals(1, simRequestsFor(k), "no retry after the first byte reached the client");
    }

    @Test
    void disconnectBeforeHeadersIsA502WithoutRetry() {
        String k = key();
        Timed t = post("gpt-4o-mini", false, "x-sim-fault", "disconnect-before-headers", "x-sim-fault-key", k);
        assertEquals(502, t.status(), t.body());
        Rig.openAiError(t.body());
        assertEquals(1, simRequestsFor(k), "the request reached the upstream: it is not replayed");
    }

    @Test
    void rateLimitStormIsRetriedHonouringRetryAfterThenPassedThrough() {
        // two 429s announcing 400 ms, then success: the proxy waits as told and the client sees only the success
        String k = key();
        Timed ok = post("gpt-4o-mini", false, "x-sim-fault", "429", "x-sim-retry-after-ms", "400",
                "x-sim-fault-count", "2", "x-sim-fault-key", k);
        assertEquals(200, ok.status(), ok.body());
        assertEquals(3, simRequestsFor(k));
        assertTrue(ok.millis() >= 800, "retry-after honoured twice: took " + ok.millis());

        // a storm: every attempt is a 429; maxRetries=2 bounds it and the client gets the 429 with retry-after
        String storm = key();
        Timed t = post("gpt-4o-mini", true, "x-sim-fault", "429", "x-sim-retry-after-ms", "200",
                "x-sim-fault-key", storm);
        assertEquals(429, t.status(), t.body());
        assertTrue(t.response().headers().firstValue("retry-after").isPresent(), t.response().headers().toString());
        assertEquals(3, simRequestsFor(storm));

        // an upstream asking for more than retryAfterMaxMs (3000): the wait is capped
        String capped = key();
        Timed c = post("gpt-4o-mini", false, "x-sim-fault", "429", "x-sim-retry-after-ms", "60000",
                "x-sim-fault-count", "1", "x-sim-fault-key", capped);
        assertEquals(200, c.status(), c.body());
        assertTrue(c.millis() >= 2900 && c.millis() < 8000, "capped at retryAfterMaxMs: took " + c.millis());
    }

    @Test
    void serverErrorStormIsBoundedByMaxRetries() {
        String k = key();
        Timed t = post("gpt-4o-mini", false, "x-sim-fault", "500", "x-sim-fault-key", k);
        assertEquals(500, t.status(), t.body());
        assertTrue(t.body().contains("\"error\""), t.body());
        assertEquals(3, simRequestsFor(k), "1 attempt + maxRetries=2");
        assertTrue(t.millis() < 3000, "backoff bounded by retryMaxMs: took " + t.millis());

        String k503 = key();
        Timed s = post("gpt-4o-mini", true, "x-sim-fault", "503", "x-sim-fault-key", k503,
                "x-sim-fault-count", "1");
        assertEquals(200, s.status(), s.body());
        assertTrue(s.body().contains("[DONE]"), s.body());
        assertEquals(2, simRequestsFor(k503));
    }

    @Test
    void clientDisconnectBeforeHeadersIsHarmless() throws Exception {
        long before = sim.stats().requests();
        try (Socket s = socket()) {
            s.getOutputStream().write("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthor"
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
        }
        Rig.pause(200);
        assertEquals(before, sim.stats().requests(), "nothing was forwarded");
    }

    @Test
    void clientDisconnectMidUploadForwardsNothing() throws Exception {
        long before = sim.stats().requests();
        byte[] start = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer rel-client-key\r\n"
                + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"model\":\"gpt-4o-mini\",\"messages\":[")
                .getBytes(StandardCharsets.US_ASCII);
        try (Socket s = socket()) {
            s.getOutputStream().write(start);
            s.getOutputStream().write(new byte[2000]);
            s.getOutputStream().flush();
            Rig.pause(100);
        }
        Rig.pause(300);
        assertEquals(before, sim.stats().requests(), "a half-uploaded body is never forwarded");
    }

    @Test
    void clientDisconnectMidStreamCancelsTheUpstreamCall() throws Exception {
        long disconnects = sim.stats().clientDisconnects();
        String body = Rig.chat("gpt-4o-mini", true);
        byte[] req = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer rel-client-key\r\n"
                + "Content-Type: application/json\r\nx-sim-tokens: 400\r\nx-sim-tokens-per-second: 40\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        try (Socket s = socket()) {
            OutputStream out = s.getOutputStream();
            out.write(req);
            out.flush();
            InputStream in = s.getInputStream();
            String seen = readUntil(in, "data:", 5000);
            assertTrue(seen.startsWith("HTTP/1.1 200"), seen);
        }
        // the proxy notices at its next write and closes the upstream response: the sim sees a disconnect
        Rig.await("the sim to see the proxy hang up", 8000, () -> sim.stats().clientDisconnects() > disconnects);
    }

    /**
     * Issue 20 item 14 (and issue 14 item 7): a client that hangs up while the proxy still waits for Azure's headers
     * is noticed within a second: the upstream call is cancelled (the simulator, asleep for 5 s, sees its connection
     * closed well before that and before firstByteTimeoutMs) and the access log records 499
     * {@code client_disconnected}.
     */
    @Test
    void clientDisconnectWhileWaitingForHeadersIsHarmless() throws Exception {
        String id = "gone-" + key();
        List<ExchangeLog> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r instanceof AccessRecord a && id.equals(a.exchange().requestId())) {
                    lines.add(a.exchange());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger access = java.util.logging.Logger.getLogger(AccessLog.LOGGER);
        access.addHandler(capture);
        try {
            String k = key();
            String body = Rig.chat("gpt-4o-mini", false);
            byte[] req = ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer rel-client-key\r\n"
                    + "Content-Type: application/json\r\nx-sim-fault: slow-headers\r\nx-sim-delay-ms: 5000\r\n"
                    + "x-sim-fault-key: " + k + "\r\nx-request-id: " + id + "\r\n"
                    + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
            long hungUp;
            int upstreamPort;
            try (Socket s = socket()) {
                s.getOutputStream().write(req);
                s.getOutputStream().flush();
                Rig.await("the request to reach the simulator", 4000, () -> simRequestsFor(k) == 1);
                // the exact upstream connection this request came on, as the simulator saw it
                upstreamPort = sim.requests().stream().filter(r -> k.equals(header(r.headers(), "x-sim-fault-key")))
                        .findFirst().orElseThrow().clientPort();
                assertEquals("01", Rig.socketState(sim.port(), upstreamPort), "the upstream call is open");
                hungUp = System.nanoTime();
            }
            // the simulator sleeps 5 s before it answers: only the proxy can close this connection before that
            Rig.await("the proxy to close the upstream connection of the abandoned call", 4000,
                    () -> !"01".equals(Rig.socketState(sim.port(), upstreamPort)));
            long ms = (System.nanoTime() - hungUp) / 1_000_000;
            Rig.await("the access line", 4000, () -> !lines.isEmpty());
            assertEquals(499, lines.getFirst().status());
            assertEquals("client_disconnected", lines.getFirst().errorCode(),
                    "cancelled because the client left, not by a timeout");
            assertTrue(ms < 2000, "the upstream call was cancelled " + ms + " ms after the client left");
        } finally {
            access.removeHandler(capture);
        }
    }

    private static Socket socket() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port()), 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    private static String readUntil(InputStream in, String marker, int max) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while (sb.length() < max && (b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.indexOf(marker) >= 0) {
                break;
            }
        }
        return sb.toString();
    }
}
