package com.aoaigw.caddy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

/** A fake of the proxy's {@code POST /internal/caddy/report}: records every report and its Authorization header. */
final class ReportReceiver implements AutoCloseable {
    private final HttpServer server;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<Received> received = new ArrayList<>();

    record Received(JsonNode report, String authorization, String raw) {
    }

    ReportReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext(CaddyReporter.PATH, ex -> {
            String raw;
            try (InputStream in = ex.getRequestBody()) {
                raw = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            }
            synchronized (received) {
                received.add(new Received(mapper.readTree(raw), ex.getRequestHeaders().getFirst("Authorization"), raw));
                received.notifyAll();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    List<Received> all() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    /** Waits for a report (received from now on or earlier, newest first) that matches. */
    Received await(String what, Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                Optional<Received> hit = received.reversed().stream().findFirst().filter(r -> match.test(r.report()));
                if (hit.isPresent()) {
                    return hit.get();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    String last = received.isEmpty() ? "none" : received.getLast().raw();
                    throw new AssertionError("no report with " + what + " within " + timeout.toSeconds()
                            + " s; last report: " + last);
                }
                received.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
