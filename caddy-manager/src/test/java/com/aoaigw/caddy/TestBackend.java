package com.aoaigw.caddy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * Stands in for the proxy behind Caddy: {@code /healthz}, and {@code /sse?n=N&gap=MS}, which writes N events
 * {@code data: i} MS milliseconds apart, flushing each. Loopback, ephemeral port.
 */
final class TestBackend implements AutoCloseable {
    private final HttpServer server;

    TestBackend() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/healthz", ex -> reply(ex, 200, "ok"));
        server.createContext("/sse", this::sse);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void sse(HttpExchange ex) throws IOException {
        int n = 5;
        long gap = 300;
        String q = ex.getRequestURI().getQuery();
        if (q != null) {
            for (String kv : q.split("&")) {
                String[] p = kv.split("=", 2);
                if (p[0].equals("n")) {
                    n = Math.min(100, Integer.parseInt(p[1]));
                } else if (p[0].equals("gap")) {
                    gap = Math.min(5000, Long.parseLong(p[1]));
                }
            }
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    Thread.sleep(gap);
                }
                out.write(("data: " + i + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
