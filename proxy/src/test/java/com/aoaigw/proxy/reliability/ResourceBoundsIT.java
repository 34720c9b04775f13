package com.aoaigw.proxy.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an anonymous or merely authenticated client sends must not grow the proxy's memory: a child-process proxy
 * with the container image's heap setting ({@code -Xmx256m}) is fed 300 MB admin uploads and thousands of unknown
 * model names, and its live heap (measured with {@code jcmd GC.class_histogram}, which collects first) and its
 * {@code /metrics} page stay where they were.
 */
@Timeout(240)
class ResourceBoundsIT {
    static final String KEY = "bounds-client-key";
    static final long UPLOAD = 300L * 1024 * 1024;
    static final long MB = 1024 * 1024;

    @TempDir
    static Path dir;
    static ChildProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        Path config = dir.resolve("config.json");
        // the upstream is never called: every request here is refused before routing
        Files.writeString(config, """
                {"server":{"adminAuth":{"username":"operator","password":"Bounds-Adm1n-Pw-2207"}},
                 "auth":{"mode":"apiKey","apiKey":"unused"},
                 "apiKeys":[{"id":"bounds","key":"%s"}],
                 "upstreams":[{"name":"nowhere","baseUrl":"http://127.0.0.1:9"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"nowhere"}]}
                """.formatted(KEY));
        proxy = ChildProxy.start(Map.of("CONFIG_PATH", config.toString(), "PORT", "0", "HOST", "127.0.0.1"),
                List.of("-Xmx256m"));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    /**
     * Issue 20.1: 300 MB to the unauthenticated login, by declared length, in small chunks and as one huge chunk:
     * each is refused with 413 (no 500, no OutOfMemoryError) and the live heap, sampled while the uploads run,
     * stays within 64 MB of idle.
     */
    @Test
    void hugeAdminUploadsAre413AndLeaveTheHeapFlat() throws Exception {
        long idle = proxy.liveHeapBytes();
        AtomicLong peak = new AtomicLong(idle);
        AtomicBoolean done = new AtomicBoolean();
        Thread sampler = Thread.ofPlatform().daemon().name("heap-sampler").start(() -> {
            while (!done.get()) {
                try {
                    peak.accumulateAndGet(proxy.liveHeapBytes(), Math::max);
                } catch (AssertionError e) {
                    return; // the child died: the uploads' own assertions say why
                }
            }
        });
        List<String> results = new ArrayList<>();
        try {
            for (Framing f : Framing.values()) {
                String head = upload(proxy.port(), "/admin/api/login", f, UPLOAD);
                results.add(f + " -> " + head.lines().findFirst().orElse("(closed)"));
                if (f == Framing.ONE_HUGE_CHUNK && head.isEmpty()) {
                    // refused at the chunk's size line; the close can reach the client as a reset that overtakes
                    // the 413 while it is still sending
                    continue;
                }
                assertEquals(413, Rig.rawStatus(head), f + ": " + head);
            }
            // the data plane, for a client with a key: one chunk announcing 300 MB
            String data = upload(proxy.port(), "/v1/chat/completions", Framing.ONE_HUGE_CHUNK, UPLOAD,
                    "Authorization: Bearer " + KEY + "\r\n");
            results.add("data plane -> " + data.lines().findFirst().orElse("(closed)"));
            assertTrue(data.isEmpty() || Rig.rawStatus(data) == 413, data);
            // below the server-wide limit (BODY_LIMIT, 50 MiB) the admin API's own 2 MiB limit answers, at once
            String head = upload(proxy.port(), "/admin/api/login", Framing.DECLARED, 40 * MB);
            assertEquals(413, Rig.rawStatus(head), head);
            assertTrue(Rig.rawBody(head).contains("body_too_large"), head);
        } finally {
            done.set(true);
            sampler.join(120_000);
        }
        peak.accumulateAndGet(proxy.liveHeapBytes(), Math::max);
        assertTrue(results.toString().contains("SMALL_CHUNKS"), results.toString());
        System.out.println("live heap idle " + idle / MB + " MB, peak during 300 MB uploads " + peak.get() / MB
                + " MB: " + results);
        assertFalse(proxy.output().contains("OutOfMemoryError"), proxy.output());
        assertTrue(peak.get() - idle < 64 * MB, "live heap grew from " + idle / MB + " MB to " + peak.get() / MB
                + " MB: " + results);
        // still serving: a well-formed login is answered
        Rig.Timed ok = Rig.post(proxy.base() + "/admin/api/login", null,
                "{\"username\":\"operator\",\"password\":\"Bounds-Adm1n-Pw-2207\"}");
        assertEquals(200, ok.status(), ok.body());
    }

    /**
     * Issue 20.2: 2,000 unique model names of 4 KB that no config knows (each answered 404) leave the live heap and
     * the size of {@code /metrics} where 1,000 short unknown names had put them (the log ring is full by then):
     * unknown names are recorded under one {@code _unknown} label, not one entry each.
     */
    @Test
    void uniqueUnknownModelNamesLeaveHeapAndMetricsFlat() throws Exception {
        for (int i = 0; i < 1000; i++) {
            assertEquals(404, chat("warm-" + i).status());
        }
        long heapBefore = proxy.liveHeapBytes();
        int metricsBefore = metrics().length();
        char[] pad = new char[4096];
        Arrays.fill(pad, 'x');
        String filler = new String(pad);
        for (int i = 0; i < 2000; i++) {
            Rig.Timed t = chat("probe-" + i + "-" + filler);
            assertEquals(404, t.status(), t.body());
        }
        String after = metrics();
        long heapAfter = proxy.liveHeapBytes();
        System.out.println("2,000 unknown names: live heap " + heapBefore / 1024 + " -> " + heapAfter / 1024
                + " KiB, /metrics " + metricsBefore + " -> " + after.length() + " characters");
        assertTrue(after.length() - metricsBefore < 4096, "/metrics grew from " + metricsBefore + " to "
                + after.length() + " characters");
        assertTrue(heapAfter - heapBefore < 4 * MB, "live heap grew from " + heapBefore / 1024 + " KiB to "
                + heapAfter / 1024 + " KiB");
        assertFalse(after.contains("probe-"), "an unknown model name became a metric label");
        assertTrue(after.contains("model=\"_unknown\""), "unknown models are counted under _unknown");
    }

    private static Rig.Timed chat(String model) {
        return Rig.post(proxy.base() + "/v1/chat/completions", KEY,
                "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    private static String metrics() {
        return Rig.send(HttpRequest.newBuilder(URI.create(proxy.base() + "/metrics"))
                .timeout(Duration.ofSeconds(30)).GET().build()).body();
    }

    enum Framing { DECLARED, SMALL_CHUNKS, ONE_HUGE_CHUNK }

    /**
     * Sends {@code total} bytes of body (a writer thread; it stops when the server closes) and returns the response
     * head and body as far as the server sent them.
     */
    private static String upload(int port, String path, Framing framing, long total) throws Exception {
        return upload(port, path, framing, total, "");
    }

    private static String upload(int port, String path, Framing framing, long total, String extraHeaders)
            throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(120_000);
            OutputStream out = s.getOutputStream();
            String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + extraHeaders + (framing == Framing.DECLARED ? "Content-Length: " + total : "Transfer-Encoding: chunked")
                    + "\r\n\r\n";
            Thread writer = Thread.ofPlatform().daemon().name("uploader").start(() -> {
                byte[] block = new byte[64 * 1024];
                Arrays.fill(block, (byte) 'a');
                byte[] chunkHead = (Integer.toHexString(block.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                byte[] crlf = "\r\n".getBytes(StandardCharsets.US_ASCII);
                try {
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    if (framing == Framing.ONE_HUGE_CHUNK) {
                        out.write((Long.toHexString(total) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    for (long sent = 0; sent < total; sent += block.length) {
                        if (framing == Framing.SMALL_CHUNKS) {
                            out.write(chunkHead);
                        }
                        out.write(block);
                        if (framing == Framing.SMALL_CHUNKS) {
                            out.write(crlf);
                        }
                    }
                    if (framing == Framing.ONE_HUGE_CHUNK) {
                        out.write(crlf);
                    }
                    if (framing != Framing.DECLARED) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                } catch (IOException e) {
                    // the server refused and closed: what it answered is read below
                }
            });
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            StringBuilder response = new StringBuilder();
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    response.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (complete(response)) {
                        break;
                    }
                }
            } catch (IOException e) {
                // a reset after the answer: keep what arrived
            }
            s.close();
            writer.join(60_000);
            return response.toString();
        }
    }

    private static boolean complete(StringBuilder r) {
        int end = r.indexOf("\r\n\r\n");
        if (end < 0) {
            return false;
        }
        String head = r.substring(0, end).toLowerCase(java.util.Locale.ROOT);
        int cl = head.indexOf("content-length:");
        if (cl < 0) {
            return false;
        }
        int eol = head.indexOf("\r\n", cl);
        long len = Long.parseLong(head.substring(cl + 15, eol < 0 ? head.length() : eol).trim());
        return r.length() - end - 4 >= len;
    }
}
