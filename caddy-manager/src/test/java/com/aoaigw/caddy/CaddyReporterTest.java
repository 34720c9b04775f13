package com.aoaigw.caddy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.aoaigw.config.Secret;
import com.aoaigw.config.TlsReport;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(15)
class CaddyReporterTest {
    private static final TlsReport REPORT = new TlsReport(Instant.parse("2026-11-26T04:00:00.123Z"), true,
            new TlsReport.ProcessState("running", Instant.parse("2026-11-26T03:59:00Z"), 42L, 1, "exited with code 2"),
            new TlsReport.ConfigState("refused", "etag-1", Instant.parse("2026-11-26T03:58:00Z"), "why", "{\n}\n"),
            List.of(new TlsReport.Certificate("gw.example", "error", null, null, null, "boom",
                    Instant.parse("2026-11-26T04:01:00Z"))));

    @Test
    void jsonRoundTripsIntoTheSharedRecord() throws IOException {
        // how the proxy reads it: ISO-8601 instants, camelCase keys
        SimpleModule instants = new SimpleModule().addDeserializer(Instant.class, new JsonDeserializer<>() {
            @Override
            public Instant deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Instant.parse(p.getValueAsString());
            }
        });
        CaddyReporter reporter = new CaddyReporter(HttpClient.newHttpClient(), URI.create("http://127.0.0.1:1"),
                Secret.empty());
        String json = reporter.json(REPORT);
        assertTrue(json.contains("\"reportedAt\":\"2026-11-26T04:00:00.123Z\""), json);
        assertEquals(REPORT, new ObjectMapper().registerModule(instants).readValue(json, TlsReport.class));
    }

    @Test
    void aFailingProxyIsNotFatal() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        AtomicInteger calls = new AtomicInteger();
        server.createContext(CaddyReporter.PATH, ex -> {
            calls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(calls.get() == 1 ? 503 : 204, -1);
            ex.close();
        });
        server.start();
        try (HttpClient http = HttpClient.newHttpClient()) {
            CaddyReporter reporter = new CaddyReporter(http,
                    URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"), Secret.of("t0k", k -> null));
            assertFalse(reporter.send(REPORT));
            assertTrue(reporter.send(REPORT));
            assertEquals(2, calls.get());
            CaddyReporter nowhere = new CaddyReporter(http, URI.create("http://127.0.0.1:" + CaddyTestSupport.freePort()),
                    Secret.empty());
            assertFalse(nowhere.send(REPORT));
        } finally {
            server.stop(0);
        }
    }
}
