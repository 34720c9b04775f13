package com.aoaigw.caddy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin client against a hand-written stand-in for Caddy's admin API (the real one is used by the ITs). */
@Timeout(15)
class CaddyAdminClientTest {
    @Test
    void mapsLoadAnswersAndProbes() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/config/", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.createContext("/load", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes());
            boolean ok = "text/caddyfile".equals(ex.getRequestHeaders().getFirst("Content-Type")) && body.contains("ok");
            byte[] answer = ok ? new byte[0] : "{\"error\":\"parsing caddyfile tokens: bad\"}".getBytes();
            ex.sendResponseHeaders(ok ? 200 : 400, ok ? -1 : answer.length);
            ex.getResponseBody().write(answer);
            ex.close();
        });
        server.start();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            // ":port" is how Caddy spells "every interface"; the client goes through loopback
            CaddyAdminClient admin = new CaddyAdminClient(http, ":" + server.getAddress().getPort());
            assertTrue(admin.alive());
            assertInstanceOf(CaddyAdminClient.LoadResult.Loaded.class, admin.load("ok"));
            CaddyAdminClient.LoadResult refused = admin.load("nope");
            assertEquals(new CaddyAdminClient.LoadResult.Refused(400, "parsing caddyfile tokens: bad"), refused);
        } finally {
            server.stop(0);
        }
        try (HttpClient http = HttpClient.newHttpClient()) {
            CaddyAdminClient gone = new CaddyAdminClient(http, "127.0.0.1:" + CaddyTestSupport.freePort());
            assertFalse(gone.alive());
            assertInstanceOf(CaddyAdminClient.LoadResult.Unreachable.class, gone.load("ok"));
        }
    }

    @Test
    void refusesUnixSocketAddresses() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CaddyAdminClient(HttpClient.newHttpClient(), "unix//run/caddy.sock"));
        assertTrue(e.getMessage().contains("needs a TCP address"), e.getMessage());
    }
}
