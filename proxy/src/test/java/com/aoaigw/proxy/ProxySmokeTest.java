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

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The whole proxy in-process against a hand-written fake upstream: the first end-to-end slice. */
@Timeout(30)
class ProxySmokeTest {
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
                 "apiKeys":[{"id":"k1","key":"client-key"},{"id":"k2","key":"other","models":["m2"]},
                            {"id":"off","key":"disabled-key","status":"disabled"}],
                 "upstreams":[{"name":"u","baseUrl":"%s"},
                              {"name":"bad","baseUrl":"%s","auth":{"mode":"apiKey","apiKey":"k\\r\\nx-injected: yes"}}],
                 "models":[{"id":"m1","upstream":"u","targetModel":"dep-1"},{"id":"m2","upstream":"u"},
                           {"id":"m3","upstream":"bad"}]}
                """.formatted(azure.baseUrl(), azure.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(cfg));
    }

    @AfterAll
    static void stop() {
        proxy.stop();
        azure.close();
    }

    private HttpResponse<String> post(String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + path))
                .header("content-type", "application/json")
                .header("cookie", "session=1")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("authorization", "Bearer " + key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void nonStreamRewritesModelAndStripsClientCredentials() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", "client-key", "{\"model\":\"m1\",\"messages\":[]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"ok\""));
        assertEquals("99", r.headers().firstValue("x-ratelimit-remaining-requests").orElse(null));
        assertEquals("apim-1", r.headers().firstValue("apim-request-id").orElse(null));
        assertTrue(r.headers().firstValue("x-internal-secret").isEmpty());
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
        FakeAzure.Seen s = azure.seen.getLast();
        assertEquals("/openai/v1/chat/completions", s.path());
        assertEquals("{\"model\":\"dep-1\",\"messages\":[]}", s.body());
        assertEquals("azure-key", s.headers().get("api-key"));
        assertFalse(s.headers().containsKey("authorization"));
        assertFalse(s.headers().containsKey("cookie"));
        assertFalse(s.headers().containsKey("proxy-connection"));
    }

    @Test
    void aCredentialThatWouldSplitTheHeaderIsNeverSent() throws Exception {
        int before = azure.seen.size();
        HttpResponse<String> r = post("/v1/chat/completions", "client-key", "{\"model\":\"m3\",\"messages\":[]}");
        assertEquals(500, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"code\":\"invalid_upstream_credential\""), r.body());
        assertFalse(r.body().contains("x-injected"), r.body());
        assertEquals(before, azure.seen.size(), "nothing reached the upstream");
    }

    @Test
    void streamPassesEventsAndDropsInjectedUsageChunk() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", "client-key",
                "{\"model\":\"m1\",\"stream\":true,\"messages\":[]}");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        assertTrue(r.body().contains("Hé"), r.body());
        assertFalse(r.body().contains("prompt_tokens"), r.body());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
        assertTrue(new com.fasterxml.jackson.databind.ObjectMapper().readTree(azure.seen.getLast().body())
                .at("/stream_options/include_usage").asBoolean(), azure.seen.getLast().body());
    }

    @Test
    void authErrors() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", "wrong", "{\"model\":\"m1\"}");
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("\"code\":\"invalid_api_key\""), r.body());
        assertEquals(401, post("/v1/chat/completions", "disabled-key", "{\"model\":\"m1\"}").statusCode());
        assertEquals(401, post("/v1/chat/completions", null, "{\"model\":\"m1\"}").statusCode());
        HttpResponse<String> f = post("/v1/chat/completions", "other", "{\"model\":\"m1\"}");
        assertEquals(403, f.statusCode());
        assertTrue(f.body().contains("model_not_allowed"));
    }

    @Test
    void modelsAndHealthAndNotFound() throws Exception {
        HttpResponse<String> m = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/v1/models"))
                .header("api-key", "other").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, m.statusCode());
        assertTrue(m.body().contains("\"id\":\"m2\"") && !m.body().contains("\"id\":\"m1\""), m.body());
        HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/healthz"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, h.statusCode());
        assertTrue(h.body().contains("\"status\":\"ok\""));
        HttpResponse<String> nf = post("/v1/nothing", "client-key", "{}");
        assertEquals(404, nf.statusCode());
        assertTrue(nf.body().contains("unknown_url"), nf.body());
        HttpResponse<String> nf2 = post("/elsewhere", null, "{}");
        assertEquals(404, nf2.statusCode());
        HttpResponse<String> um = post("/v1/chat/completions", "client-key", "{\"model\":\"nope\"}");
        assertEquals(404, um.statusCode());
        assertTrue(um.body().contains("model_not_found"));
        HttpResponse<String> bad = post("/v1/chat/completions", "client-key", "{\"model\":");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("invalid_json"));
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port()
                + "/v1/chat/completions")).header("api-key", "client-key").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode(), get.body());
        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.body().contains("aoaigw_requests_total"), "the proxy's own counters are exported");
        HttpResponse<String> proxied = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port()
                + "/metrics")).header("x-forwarded-for", "203.0.113.9").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, proxied.statusCode(), "metrics are not reachable through a reverse proxy");
        HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port()
                + "/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, ready.statusCode(), ready.body());
        assertTrue(ready.body().contains("upstream-credentials") && ready.body().contains("\"config\""), ready.body());
    }

    @Test
    void malformedHttpGetsAnOpenAiShapedError() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10000);
            s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(answer.contains("{\"error\":{\"message\""), answer);
            assertTrue(answer.contains("\"code\":\"bad_request\""), answer);
        }
    }

    @Test
    void healthzIs503WithoutAConfig() throws Exception {
        try (ProxyServer bare = ProxyServer.start(ProcessSettings.forTest(dir.resolve("missing").resolve("config.json")))) {
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bare.port()
                    + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, h.statusCode());
            assertTrue(h.body().contains("\"reason\""), h.body());
            HttpResponse<String> c = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bare.port()
                    + "/v1/models")).header("api-key", "client-key").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(503, c.statusCode());
            assertTrue(c.body().contains("config_unavailable"), c.body());
        }
    }
}
