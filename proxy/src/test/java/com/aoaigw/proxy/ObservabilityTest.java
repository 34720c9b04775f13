package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator's tools see: the Azure-style model list, and {@code /metrics} (histograms with fixed buckets,
 * only API calls counted, JVM meters in snake_case). The proxy in-process against a hand-written fake upstream.
 */
@Timeout(60)
class ObservabilityTest {
    @TempDir
    static Path dir;
    static FakeAzure azure;
    static ProxyServer proxy;
    static HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        azure = new FakeAzure();
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, """
                {"auth":{"mode":"apiKey","apiKey":"azure-key"},
                 "apiKeys":[{"id":"obs","key":"obs-key"},{"id":"narrow","key":"narrow-key","models":["obs-b"]}],
                 "upstreams":[{"name":"u","baseUrl":"%s"}],
                 "models":[{"id":"obs-a","upstream":"u"},{"id":"obs-b","upstream":"u"}]}
                """.formatted(azure.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(cfg));
    }

    @AfterAll
    static void stop() {
        proxy.stop();
        azure.close();
    }

    private static HttpResponse<String> get(String path, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path));
        if (apiKey != null) {
            b.header("api-key", apiKey);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .header("content-type", "application/json").header("authorization", "Bearer obs-key")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String metrics() throws Exception {
        HttpResponse<String> m = get("/metrics", null);
        assertEquals(200, m.statusCode());
        return m.body();
    }

    private static double requestsTotal(String text) {
        return text.lines().filter(l -> l.startsWith("aoaigw_requests_total{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void azureStyleModelListAnswersWhatAzureOpenAiModelsListCalls() throws Exception {
        HttpResponse<String> all = get("/openai/models?api-version=2024-10-21", "obs-key");
        assertEquals(200, all.statusCode(), all.body());
        assertTrue(all.body().contains("\"object\":\"list\"") && all.body().contains("\"id\":\"obs-a\"")
                && all.body().contains("\"id\":\"obs-b\""), all.body());
        HttpResponse<String> narrow = get("/openai/models", "narrow-key");
        assertEquals(200, narrow.statusCode(), narrow.body());
        assertTrue(narrow.body().contains("\"id\":\"obs-b\"") && !narrow.body().contains("obs-a"), narrow.body());
        HttpResponse<String> one = get("/openai/models/obs-a?api-version=2024-10-21", "obs-key");
        assertEquals(200, one.statusCode(), one.body());
        assertTrue(one.body().contains("\"id\":\"obs-a\"") && one.body().contains("\"object\":\"model\""), one.body());
        HttpResponse<String> hidden = get("/openai/models/obs-a", "narrow-key");
        assertEquals(404, hidden.statusCode(), hidden.body());
        assertTrue(hidden.body().contains("model_not_found"), hidden.body());
        assertEquals(401, get("/openai/models", "wrong-key").statusCode());
    }

    @Test
    void latencyAndTimeToFirstTokenAreHistogramsWithFixedBuckets() throws Exception {
        assertEquals(200, post("/v1/chat/completions", "{\"model\":\"obs-a\",\"messages\":[]}").statusCode());
        assertEquals(200, post("/v1/chat/completions", "{\"model\":\"obs-a\",\"stream\":true,\"messages\":[]}")
                .statusCode());
        String text = metrics();
        for (String name : List.of("aoaigw_request_latency_seconds", "aoaigw_time_to_first_token_seconds")) {
            assertTrue(text.contains("# TYPE " + name + " histogram"), name + " is a histogram:\n" + text);
            List<String> buckets = text.lines()
                    .filter(l -> l.startsWith(name + "_bucket{") && l.contains("model=\"obs-a\"")).toList();
            // the 15 fixed bounds and +Inf
            assertEquals(16, buckets.size(), String.join("\n", buckets));
            assertTrue(buckets.stream().anyMatch(l -> l.contains("le=\"0.25\"")), String.join("\n", buckets));
            assertTrue(buckets.stream().anyMatch(l -> l.contains("le=\"900.0\"")), String.join("\n", buckets));
            assertTrue(buckets.stream().anyMatch(l -> l.contains("le=\"+Inf\"") && l.endsWith(" 2.0")),
                    String.join("\n", buckets));
            assertTrue(text.lines().anyMatch(l -> l.startsWith(name + "_count{") && l.contains("model=\"obs-a\"")),
                    text);
            assertFalse(text.lines().anyMatch(l -> l.startsWith(name + "{") && l.contains("quantile=")),
                    "no client-side quantiles: " + text);
        }
    }

    @Test
    void onlyApiCallsAreCountedInRequestsTotal() throws Exception {
        double before = requestsTotal(metrics());
        assertEquals(200, get("/healthz", null).statusCode());
        assertEquals(200, get("/health/ready", null).statusCode());
        get("/admin/", null);
        get("/admin/api/runtime", null);
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/internal/caddy/report"))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                HttpResponse.BodyHandlers.discarding());
        assertEquals(before, requestsTotal(metrics()), "admin, health and internal calls are not API calls");
        assertEquals(200, post("/v1/chat/completions", "{\"model\":\"obs-b\",\"messages\":[]}").statusCode());
        assertEquals(before + 1, requestsTotal(metrics()));
    }

    @Test
    void jvmMeterNamesAreSnakeCase() throws Exception {
        String text = metrics();
        assertTrue(text.contains("memory_used_heap_bytes"), text);
        List<String> camel = text.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                .map(l -> l.split("[{ ]", 2)[0]).filter(n -> !n.equals(n.toLowerCase(java.util.Locale.ROOT)))
                .distinct().toList();
        assertEquals(List.of(), camel, "meter names with capitals");
    }
}
