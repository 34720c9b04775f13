package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;

/**
 * Upstream Entra auth end to end, in a child JVM running {@code proxy/target/proxy.jar}: azure-identity must trust
 * the simulator's HTTPS authority ({@code -Djavax.net.ssl.trustStore}) and MSAL reads the managed-identity
 * endpoint from the real process environment ({@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER}), so neither can
 * run inside the test JVM. Covers client secret, managed identity, the single-flight token cache and the
 * refresh-and-retry-once after a 401.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class UpstreamAuthIT {
    private static final Pattern LISTENING = Pattern.compile("proxy listening on [^:]+:(\\d+)");

    @Test
    void clientSecretAndManagedIdentityWithOwnTokenCache() throws Exception {
        Path jar = Path.of("target", "proxy.jar");
        if (!Files.isRegularFile(jar)) {
            fail("proxy/target/proxy.jar is missing: run the integration tests with `mvn verify` (package phase first)");
        }
        try (FoundrySim sim = FoundrySim.start(SimSettings.defaults())) {
            Path dir = Files.createTempDirectory("upstream-auth-it");
            Path cfg = dir.resolve("config.json");
            Files.writeString(cfg, """
                    {"server":{"upstream":{"requestTimeoutMs":60000}},
                     "auth":{"mode":"apiKey","apiKey":"unused"},
                     "apiKeys":[{"id":"auth-it","key":"auth-it-client-key"}],
                     "upstreams":[
                       {"name":"sp","baseUrl":"%s","auth":{"mode":"servicePrincipal","tenantId":"sim-tenant",
                          "clientId":"sim-client","clientSecret":"sim-secret","authorityHost":"%s"}},
                       {"name":"mi","baseUrl":"%s","auth":{"mode":"managedIdentity"}}],
                     "models":[{"id":"m-sp","upstream":"sp","targetModel":"gpt-4o-mini"},
                               {"id":"m-mi","upstream":"mi","targetModel":"gpt-4o-mini"}]}
                    """.formatted(sim.baseUrl(), sim.authorityUrl(), sim.baseUrl()));
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(),
                    "-Djavax.net.ssl.trustStore=" + sim.trustStore(),
                    "-Djavax.net.ssl.trustStorePassword=" + sim.trustStorePassword(),
                    "-Djavax.net.ssl.trustStoreType=PKCS12",
                    "-jar", jar.toAbsolutePath().toString()).redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("IDENTITY_") || k.startsWith("MSI_")
                    || k.startsWith("AZURE_") || k.equals("PORT") || k.equals("CONFIG_PATH"));
            pb.environment().put("CONFIG_PATH", cfg.toString());
            pb.environment().put("PORT", "0");
            pb.environment().put("HOST", "127.0.0.1");
            pb.environment().put("IDENTITY_ENDPOINT", sim.managedIdentityEndpoint());
            pb.environment().put("IDENTITY_HEADER", sim.identityHeader());
            Process p = pb.start();
            LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                        if (!l.contains("\"requestId\"")) {
                            System.out.println("[proxy] " + l);
                        }
                        assertTrue(!l.contains("sim-secret"), "the client secret must never be logged");
                    }
                } catch (java.io.IOException ignored) {
                    // process ended
                }
            });
            try {
                int port = waitForPort(lines, p);
                String base = "http://127.0.0.1:" + port;
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

                // N concurrent first requests share ONE token request (the proxy's single-flight cache)
                List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(http.sendAsync(chat(base, "m-sp"), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> c : calls) {
                    HttpResponse<String> r = c.get(120, TimeUnit.SECONDS);
                    assertEquals(200, r.statusCode(), r.body());
                }
                assertEquals(1, entraTokenRequests(sim), "8 concurrent requests, one token request");
                RecordedRequest up = sim.requests().getLast();
                assertNotNull(up.header("authorization"));
                assertTrue(up.header("authorization").startsWith("Bearer "));
                assertTrue(!up.header("authorization").contains("auth-it-client-key"));
                assertEquals(null, up.header("api-key"));

                // managed identity (App Service style endpoint from the environment)
                HttpResponse<String> mi = http.send(chat(base, "m-mi"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, mi.statusCode(), mi.body());
                assertTrue(sim.tokenRequests().stream().anyMatch(r -> r.path().equals("/msi/token")),
                        "the managed-identity endpoint was used");

                // a revoked token: Azure answers 401, the proxy refreshes once and retries
                sim.revokeTokens();
                sim.clearRequests();
                HttpResponse<String> again = http.send(chat(base, "m-sp"), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, again.statusCode(), again.body());
                assertEquals(2, sim.requests().size(), "one 401, one retry with a fresh token");
                assertEquals(1, entraTokenRequests(sim), "exactly one refresh after the 401");
            } finally {
                p.destroy();
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                reader.join(5000);
            }
        }
    }

    private static long entraTokenRequests(FoundrySim sim) {
        return sim.tokenRequests().stream().filter(r -> r.path().endsWith("/oauth2/v2.0/token")).count();
    }

    private static HttpRequest chat(String base, String model) {
        return HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json")
                .header("authorization", "Bearer auth-it-client-key")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]}"))
                .build();
    }

    private static int waitForPort(LinkedBlockingQueue<String> lines, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(500, TimeUnit.MILLISECONDS);
            if (l != null) {
                Matcher m = LISTENING.matcher(l);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            } else if (!p.isAlive()) {
                fail("the proxy exited with " + p.exitValue() + " before listening");
            }
        }
        fail("the proxy did not start within 120 s");
        return -1;
    }
}
