package com.aoaigw.proxy.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static com.aoaigw.proxy.reliability.Rig.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * HTTP-level edges of the data plane found by a red-team pass (issue 20): HEAD answers without a body, malformed
 * chunked framing, strict UTF-8, duplicate keys the proxy acts on, connections that never finish their request
 * head, and a client that leaves while the proxy waits for Azure.
 */
@Timeout(90)
class HttpEdgesIT {
    static final String KEY = "edges-client-key";
    static final long HEAD_MS = 1500;
    static final long IDLE_MS = 3000;

    @TempDir
    static Path dir;
    static FoundrySim sim;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .strictDeployments(false).build());
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"adminAuth":{"username":"operator","password":"Edges-Adm1n-Pw-3391"},
                   "upstream":{"firstByteTimeoutMs":20000,"maxRetries":0}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"edges","key":"%s"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim"},{"id":"custom-model","upstream":"sim"}]}
                """.formatted(KEY, sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(config).withForwardHeaders(List.of("x-sim-*"))
                .withConnectionTimeouts(new ProcessSettings.ConnectionTimeouts(HEAD_MS, IDLE_MS)));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.close();
        }
    }

    /**
     * Issue 20 item 7: every error answer to HEAD (401, 404, 405, the admin API's 401) and the simulator's carry no
     * body: the next response on the same keep-alive connection starts right after the HEAD answer's headers.
     */
    @Test
    void headRequestsNeverGetABody() throws IOException {
        String auth = "Authorization: Bearer " + KEY + "\r\n";
        assertHeadHasNoBody(proxy.port(), "/v1/models", "", "GET /healthz");
        assertHeadHasNoBody(proxy.port(), "/no/such/path", auth, "GET /healthz");
        assertHeadHasNoBody(proxy.port(), "/v1/chat/completions", auth, "GET /healthz");
        assertHeadHasNoBody(proxy.port(), "/admin/api/config", "", "GET /healthz");
        assertHeadHasNoBody(sim.port(), "/openai/v1/models", "", "GET /openai/v1/models");
    }

    private static void assertHeadHasNoBody(int port, String target, String headers, String next) throws IOException {
        try (Socket s = socket(port)) {
            OutputStream out = s.getOutputStream();
            out.write(("HEAD " + target + " HTTP/1.1\r\nHost: x\r\n" + headers + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 4"), target + ": " + head);
            out.write((next + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // body bytes of the HEAD answer, if any, would come before the next answer's status line
            String rest = readHead(in);
            assertTrue(rest.startsWith("HTTP/1.1 "), "HEAD " + target + " on port " + port
                    + " was followed by body bytes: " + rest.substring(0, Math.min(200, rest.length())));
        }
    }

    /**
     * Issue 20 item 8: a chunked body whose framing is broken (a size that overflows, a negative size, a bare LF
     * ending the size line) gets a 400 with an OpenAI-shaped body, and the proxy closes the connection (no 500,
     * no stack trace, no keep-alive connection left waiting).
     */
    @Test
    void malformedChunkedBodyIs400AndClosesTheConnection() throws IOException {
        long before = sim.stats().requests();
        for (String chunks : List.of("ffffffffffffffff1\r\n{}\r\n0\r\n\r\n", "-1\r\n{}\r\n0\r\n\r\n",
                "2\n{}\r\n0\r\n\r\n", "zz\r\n{}\r\n0\r\n\r\n")) {
            String req = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + KEY + "\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks;
            String answer = exchangeUntilClosed(proxy.port(), req.getBytes(StandardCharsets.US_ASCII), 8000);
            assertEquals(400, Rig.rawStatus(answer), chunks.strip() + " -> " + answer);
            Rig.openAiError(Rig.rawBody(answer));
            assertFalse(answer.contains("\tat ") || answer.contains("Exception"), answer);
        }
        assertEquals(before, sim.stats().requests(), "nothing was forwarded");
    }

    /** Writes a request (keeping the connection open) and reads until the server closes it. */
    private static String exchangeUntilClosed(int port, byte[] request, int timeoutMs) throws IOException {
        try (Socket s = socket(port)) {
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = s.getInputStream().read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException e) {
                fail("the connection was still open after " + timeoutMs + " ms; got: "
                        + got.toString(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                // a reset after the answer also ends the connection
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Issue 20 item 9: overlong UTF-8 ({@code C0 AF}, {@code E0 80 AF}), an encoded surrogate and a truncated
     * sequence are refused with 400 {@code invalid_json}, in a message and inside the {@code model} value, and
     * nothing is forwarded.
     */
    @Test
    void invalidUtf8IsRefusedEvenInsideTheModel() {
        long before = sim.stats().requests();
        byte[][] bad = {{(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe0, (byte) 0x80, (byte) 0xaf},
                {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                {(byte) 0xe2, (byte) 0x82}};
        for (byte[] b : bad) {
            assertError(postBytes(body("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"a",
                    b, "b\"}]}")), 400, "invalid_json");
            assertError(postBytes(body("{\"model\":\"gpt-4o-mini", b,
                    "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")), 400, "invalid_json");
        }
        assertEquals(before, sim.stats().requests(), "nothing was forwarded");
        // well-formed multi-byte text still passes
        Timed ok = postBytes("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"é 中 😀\"}]}"
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, ok.status(), ok.body());
    }

    private static byte[] body(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /**
     * Issue 20 item 11: a body with two {@code model} keys (or two {@code stream} keys) is a 400
     * {@code duplicate_key}, whatever the model family, so the proxy and Azure can never act on different values.
     */
    @Test
    void duplicateModelKeyIs400() {
        long before = sim.stats().requests();
        Timed t = postBytes(("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"model\":\"custom-model\"}").getBytes(StandardCharsets.UTF_8));
        assertError(t, 400, "duplicate_key");
        assertEquals("model", Rig.openAiError(t.body()).path("param").asText());
        assertError(postBytes(("{\"model\":\"custom-model\",\"model\":\"custom-model\",\"messages\":[]}")
                .getBytes(StandardCharsets.UTF_8)), 400, "duplicate_key");
        assertError(postBytes(("{\"model\":\"gpt-4o-mini\",\"stream\":false,\"messages\":[],\"stream\":true}")
                .getBytes(StandardCharsets.UTF_8)), 400, "duplicate_key");
        assertEquals(before, sim.stats().requests(), "nothing was forwarded");
    }

    /**
     * Issue 20 item 10: a connection that sends nothing, half a request line, or a keep-alive connection between
     * requests is closed after {@code KEEP_ALIVE_IDLE_TIMEOUT_MS}; one that sent its request line and half its
     * headers is closed {@code REQUEST_HEAD_TIMEOUT_MS} after the request line.
     */
    @Test
    void silentAndHalfFinishedConnectionsAreClosed() throws Exception {
        String fullRequest = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var nothing = pool.submit(() -> millisUntilClosed(""));
            var halfLine = pool.submit(() -> millisUntilClosed("POST /v1/chat/compl"));
            var halfHeaders = pool.submit(() -> millisUntilClosed("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + KEY + "\r\nContent-Ty"));
            var keptAlive = pool.submit(() -> millisUntilClosed(fullRequest));
            long head = halfHeaders.get();
            long[] idle = {nothing.get(), halfLine.get(), keptAlive.get()};
            String all = "half headers " + head + " ms, nothing " + idle[0] + " ms, half a request line " + idle[1]
                    + " ms, kept alive " + idle[2] + " ms";
            assertTrue(head >= HEAD_MS - 100 && head < HEAD_MS + 1500, all);
            for (long ms : idle) {
                assertTrue(ms >= IDLE_MS - 1100 && ms < IDLE_MS + 4000, all);
            }
        }
        // the proxy still serves
        Timed ok = Rig.get("http://127.0.0.1:" + proxy.port() + "/healthz");
        assertEquals(200, ok.status(), ok.body());
    }

    /** Opens a connection, sends the bytes, and measures until the proxy closes it (bounded at 15 s). */
    private static long millisUntilClosed(String send) throws IOException {
        try (Socket s = socket(proxy.port())) {
            s.setSoTimeout(15_000);
            long t0 = System.nanoTime();
            s.getOutputStream().write(send.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            try {
                while (in.read(buf) >= 0) {
                    // an answer to a complete request; keep reading until the connection ends
                }
            } catch (SocketTimeoutException e) {
                return 99_999; // still open
            } catch (IOException e) {
                // reset: closed too
            }
            return (System.nanoTime() - t0) / 1_000_000;
        }
    }

    static Timed postBytes(byte[] body) {
        return Rig.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("authorization", "Bearer " + KEY).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    static Socket socket(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
        s.setSoTimeout(10_000);
        return s;
    }

    /** Reads up to and including the blank line that ends a response head. */
    static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return sb.toString();
    }
}
