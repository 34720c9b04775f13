package com.aoaigw.proxy.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import com.aoaigw.config.Azurite;
import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.CaddyTransport;
import com.aoaigw.config.caddy.CaddyfileRenderer;
import com.aoaigw.config.caddy.RenderOptions;
import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 20.12: caddy-manager's channel {@code /internal/caddy/report} is for loopback only. A real Caddy runs the
 * Caddyfile the product renders, in front of a real proxy: through Caddy {@code /internal/*} answers 404 even with
 * the right token, while the same call made directly on loopback is accepted and the rest of the site is proxied.
 */
@Timeout(120)
class CaddyInternalRouteIT {
    static final String TOKEN = "internal-route-token-7712";

    @TempDir
    Path dir;

    @Test
    void internalRoutesAreNotReachableThroughTheRenderedCaddyfile() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"adminAuth":{"username":"operator","password":"Internal-Route-Pw-5521"}},
                 "auth":{"mode":"apiKey","apiKey":"unused"},
                 "apiKeys":[{"id":"c","key":"internal-route-client-key"}],
                 "upstreams":[{"name":"nowhere","baseUrl":"http://127.0.0.1:9"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"nowhere"}]}
                """);
        try (ProxyServer proxy = ProxyServer.start(ProcessSettings.from(Map.of("CONFIG_PATH", config.toString(),
                "CADDY_MANAGER_TOKEN", TOKEN, "HOST", "127.0.0.1", "PORT", "0")::get))) {
            int https = Azurite.freePort();
            int http = Azurite.freePort();
            int admin = Azurite.freePort();
            CaddySettings caddy = new CaddySettings(true, "localhost", null, https, http, "127.0.0.1", proxy.port(),
                    "internal", "127.0.0.1:" + admin, CaddyTransport.defaults());
            String caddyfile = new CaddyfileRenderer().render(caddy, new RenderOptions(dir.resolve("caddy-data")
                    .toString(), "127.0.0.1", true, null, "2s")).orElseThrow();
            Process p = startCaddy(caddyfile, https);
            try {
                String report = "{\"reportedAt\":\"" + Instant.now() + "\",\"enabled\":true}";
                HttpClient tls = trustingClient();
                String front = "https://localhost:" + https;
                HttpResponse<String> via = tls.send(HttpRequest.newBuilder(URI.create(front + "/internal/caddy/report"))
                        .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + TOKEN)
                        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(report))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(404, via.statusCode(), "through Caddy: " + via.body());
                for (String path : new String[] {"/internal", "/INTERNAL/caddy/report", "/x/../internal/caddy/report"}) {
                    HttpResponse<String> variant = tls.send(HttpRequest.newBuilder(URI.create(front + path))
                            .timeout(Duration.ofSeconds(20)).header("authorization", "Bearer " + TOKEN)
                            .POST(HttpRequest.BodyPublishers.ofString(report)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(404, variant.statusCode(), path + ": " + variant.body());
                }
                HttpResponse<String> health = tls.send(HttpRequest.newBuilder(URI.create(front + "/healthz"))
                        .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), "the site is proxied: " + health.body());
                Rig.Timed direct = Rig.post("http://127.0.0.1:" + proxy.port() + "/internal/caddy/report", TOKEN,
                        report);
                assertEquals(204, direct.status(), "on loopback the report is accepted: " + direct.body());
            } finally {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process startCaddy(String caddyfile, int port) throws IOException {
        Path file = dir.resolve("Caddyfile");
        Files.writeString(file, caddyfile);
        ProcessBuilder pb = new ProcessBuilder("caddy", "run", "--adapter", "caddyfile", "--config", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("caddy.log").toFile());
        pb.environment().put("XDG_DATA_HOME", dir.resolve("data").toString());
        pb.environment().put("XDG_CONFIG_HOME", dir.resolve("conf").toString());
        pb.environment().put("HOME", dir.toString());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError("caddy is not on PATH (scripts/install-tools.sh installs it)", e);
        }
        Process started = p;
        Rig.await("Caddy to listen", 30_000, () -> listening(port) || !started.isAlive(),
                () -> read(dir.resolve("caddy.log")));
        if (!p.isAlive()) {
            throw new AssertionError("caddy exited: " + read(dir.resolve("caddy.log")));
        }
        return p;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "";
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Caddy's internal CA is not in the JDK's trust store; this test checks routing, not certificates. */
    private static HttpClient trustingClient() throws Exception {
        TrustManager[] all = {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, all, null);
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
    }
}
