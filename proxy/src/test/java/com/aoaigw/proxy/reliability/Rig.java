package com.aoaigw.proxy.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Small shared helpers of the reliability tests: an HTTP client with a bound per request, a raw-socket HTTP/1.1
 * exchange (for what the JDK client refuses to send or hides), OpenAI error-shape assertions and a resource probe
 * (live platform threads, open file descriptors) to show that a fault leaks nothing.
 */
final class Rig {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private Rig() {
    }

    /** A response of the JDK client with wall time. */
    record Timed(HttpResponse<String> response, long millis) {
        int status() {
            return response.statusCode();
        }

        String body() {
            return response.body();
        }
    }

    static Timed post(String url, String key, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    static Timed get(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return send(b.build());
    }

    static Timed send(HttpRequest r) {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
            return new Timed(resp, (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new AssertionError("request " + r.method() + " " + r.uri() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String chat(String model, boolean stream) {
        return "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello reliable world\"}]}";
    }

    /**
     * Asserts an OpenAI-shaped error body and returns its {@code error} object.
     *
     * @param body the body
     * @return the error node
     */
    static JsonNode openAiError(String body) {
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
        JsonNode err = n == null ? null : n.get("error");
        assertTrue(err != null && err.isObject(), "no error object: " + body);
        assertTrue(err.path("message").isTextual() && !err.path("message").asText().isBlank(), "no message: " + body);
        assertTrue(err.path("type").isTextual(), "no type: " + body);
        assertTrue(err.has("param") && err.has("code"), "no param/code: " + body);
        return err;
    }

    static JsonNode openJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    static void assertError(Timed t, int status, String code) {
        assertEquals(status, t.status(), t.body());
        assertEquals(code, openAiError(t.body()).path("code").asText(), t.body());
    }

    /** A raw HTTP/1.1 exchange: bytes out, everything in until the server closes or the timeout. */
    static String raw(int port, byte[] request, int timeoutMs) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(timeoutMs);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
                s.shutdownOutput();
            } catch (IOException e) {
                // the server may answer (e.g. 431) and close before the whole request was written
            }
            InputStream in = s.getInputStream();
            byte[] all = in.readAllBytes();
            return new String(all, StandardCharsets.ISO_8859_1);
        } catch (java.net.SocketTimeoutException e) {
            throw new AssertionError("the server did not answer within " + timeoutMs + " ms", e);
        } catch (IOException e) {
            return "IOException: " + e;
        }
    }

    static int rawStatus(String response) {
        if (!response.startsWith("HTTP/1.1 ")) {
            return -1;
        }
        return Integer.parseInt(response.substring(9, 12));
    }

    static String rawBody(String response) {
        int i = response.indexOf("\r\n\r\n");
        return i < 0 ? "" : response.substring(i + 4);
    }

    /** Live platform threads and open file descriptors of this JVM. */
    record Resources(int threads, long fds) {
        static Resources now() {
            return new Resources(ManagementFactory.getThreadMXBean().getThreadCount(), fdCount());
        }

        private static long fdCount() {
            try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
                return s.count();
            } catch (IOException e) {
                return -1;
            }
        }

        /**
         * Waits (bounded) until the threads and descriptors are back within a tolerance of a baseline.
         *
         * @param baseline  the level before
         * @param threadTol extra platform threads allowed
         * @param fdTol     extra descriptors allowed
         * @return the level reached
         */
        static Resources settle(Resources baseline, int threadTol, int fdTol) {
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            Resources r = now();
            while (System.nanoTime() < deadline) {
                r = now();
                if (r.threads <= baseline.threads + threadTol && r.fds <= baseline.fds + fdTol) {
                    return r;
                }
                pause(200);
            }
            fail("resources did not settle: before " + baseline + ", after " + r + " (tolerance threads +" + threadTol
                    + ", fds +" + fdTol + ")");
            return r;
        }
    }

    /**
     * @param remotePort a peer port
     * @return this JVM's TCP sockets to that port in CLOSE_WAIT (the peer closed, this side did not)
     */
    static int closeWait(int remotePort) {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("socket:[")) {
                        inodes.add(t.substring(8, t.length() - 1));
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        int n = 0;
        for (String table : new String[] {"tcp", "tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/net", table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[3].equals("08") && inodes.contains(f[9])
                            && Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16) == remotePort) {
                        n++;
                    }
                }
            } catch (IOException ignored) {
                // no such table
            }
        }
        return n;
    }

    /**
     * @param localPort a port of this JVM (a listener's)
     * @return the TCP sockets of this JVM on that local port: inode to state ({@code 01} established, {@code 08}
     *         CLOSE_WAIT: the peer hung up and this side has not closed yet)
     */
    static Map<String, String> socketStates(int localPort) {
        java.util.Set<String> inodes = new java.util.HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String t = Files.readSymbolicLink(fd).toString();
                    if (t.startsWith("socket:[")) {
                        inodes.add(t.substring(8, t.length() - 1));
                    }
                } catch (IOException ignored) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Map<String, String> states = new java.util.HashMap<>();
        for (String table : new String[] {"tcp", "tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/net", table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && inodes.contains(f[9])
                            && Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16) == localPort) {
                        states.put(f[9], f[3]);
                    }
                }
            } catch (IOException ignored) {
                // no such table
            }
        }
        return states;
    }

    /**
     * @param localPort  this JVM's end of a TCP connection (a server's listening port)
     * @param remotePort the other end's port
     * @return the kernel's state of that connection (hex, {@code 01} ESTABLISHED, {@code 08} CLOSE_WAIT), or null
     *     when this JVM holds no such socket
     */
    static String socketState(int localPort, int remotePort) {
        Map<String, String> mine = socketStates(localPort);
        for (String table : new String[] {"tcp", "tcp6"}) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/net", table))) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && mine.containsKey(f[9])
                            && Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16) == remotePort) {
                        return f[3];
                    }
                }
            } catch (IOException ignored) {
                // no such table
            }
        }
        return null;
    }

    static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static void await(String what, long timeoutMs, BooleanSupplier cond) {
        await(what, timeoutMs, cond, () -> "");
    }

    static void await(String what, long timeoutMs, BooleanSupplier cond, java.util.function.Supplier<String> state) {
        long deadline = System.nanoTime() + Duration.ofMillis(timeoutMs).toNanos();
        while (System.nanoTime() < deadline) {
            if (cond.getAsBoolean()) {
                return;
            }
            pause(50);
        }
        fail("timed out after " + timeoutMs + " ms waiting for " + what + " " + state.get());
    }

    /** Environment-style lookup from pairs. */
    static java.util.function.Function<String, String> env(Map<String, String> m) {
        return m::get;
    }

    /** SSE data lines of a body. */
    static List<String> dataLines(String sse) {
        List<String> out = new ArrayList<>();
        for (String line : sse.split("\n")) {
            if (line.startsWith("data:")) {
                out.add(line.substring(5).trim());
            }
        }
        return out;
    }
}
