package com.aoaigw.proxy.admin;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.proxy.config.ConfigHolder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;

/**
 * Starts a Helidon WebServer on 127.0.0.1:0 with the admin feature only (plus optional extra routes, e.g. a fake
 * upstream), and talks to it with the JDK HTTP client.
 */
final class AdminHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    final MemoryConfigStore store;
    final AdminConfigAccess access;
    final AdminFeature admin;
    final WebServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    AdminHarness(String configJson, Map<String, String> env, LoginThrottle.Policy policy, String listenHost,
                 Consumer<HttpRouting.Builder> extra) {
        store = new MemoryConfigStore(configJson);
        // the production path: the data plane's holder follows the store, the admin area reads and writes through it
        ConfigHolder holder = new ConfigHolder(new ConfigLoader());
        holder.follow(store);
        access = new AdminConfigAccess(holder, store);
        admin = AdminFeature.create(new AdminFeature.Options(access, k -> env.containsKey(k) ? env.get(k) : System.getenv(k), () -> listenHost, Clock.systemUTC(),
                new HttpUpstreamVerifier(), new RendererCaddyfilePreview(), policy,
                new PrintStream(stdout, true, StandardCharsets.UTF_8), "test", true));
        server = WebServer.builder()
                .host("127.0.0.1")
                .port(0)
                .routing(r -> {
                    r.addFeature(admin);
                    extra.accept(r);
                })
                .build()
                .start();
    }

    static LoginThrottle.Policy lenient() {
        return new LoginThrottle.Policy(100, Duration.ofMillis(1), Duration.ofMillis(1), 1000, Duration.ofSeconds(1),
                Duration.ofMinutes(1));
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    HttpRequest.Builder req(String path) {
        return HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> send(HttpRequest r) {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }

    /** A logged-in browser-like session: cookie plus CSRF token. */
    record Login(String cookie, String csrf, String setCookie) {
    }

    Login login(String user, String password) {
        HttpResponse<String> r = send(req("/admin/api/login").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + user + "\",\"password\":\"" + password
                        + "\"}")).build());
        if (r.statusCode() != 200) {
            throw new AssertionError("login failed: " + r.statusCode() + " " + r.body());
        }
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        return new Login(setCookie.substring(0, setCookie.indexOf(';')), json(r).get("csrfToken").asText(), setCookie);
    }

    @Override
    public void close() {
        server.stop();
        admin.close();
        access.store().close();
    }
}
