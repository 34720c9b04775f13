package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;

/**
 * The proxy in-process in front of the real simulator, over real sockets, driven by openai-java and raw HTTP:
 * routes, streaming, faults, phase timeouts, retries, header policy and client disconnects.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProxySimIT {
    private static final String KEY = "client-key";
    private static final long FIRST_BYTE_MS = 4000;
    private static final long IDLE_MS = 2500;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private Path dir;
    private Path config;
    private FoundrySim sim;
    private ProxyServer proxy;
    private String base;

    @BeforeAll
    void start() throws Exception {
        sim = FoundrySim.start(SimSettings.defaults());
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        dir = Files.createTempDirectory("proxy-sim-it");
        config = dir.resolve("config.json");
        Files.writeString(config, configJson(60000, closed));
        proxy = ProxyServer.start(ProcessSettings.forTest(config).withBodyLimit(200_000)
                .withForwardHeaders(List.of("x-sim-*")));
        base = "http://127.0.0.1:" + proxy.port();
    }

    private String configJson(long requestTimeoutMs, int closedPort) {
        return """
                {"server":{"upstream":{"connectTimeoutMs":2000,"firstByteTimeoutMs":%d,"idleTimeoutMs":%d,
                   "requestTimeoutMs":%d,"maxRetries":1,"retryBaseMs":50,"retryMaxMs":200,"retryAfterMaxMs":5000}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"tester","key":"%s"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"},{"name":"simc","baseUrl":"%s","apiStyle":"classic"},
                              {"name":"dead","baseUrl":"http://127.0.0.1:%d"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim"},
                           {"id":"classic-4o","upstream":"simc","targetModel":"gpt-4o-mini"},
                           {"id":"text-embedding-3-small","upstream":"sim"},
                           {"id":"gpt-image-1","upstream":"sim"},
                           {"id":"dead-model","upstream":"dead"}]}
                """.formatted(FIRST_BYTE_MS, IDLE_MS, requestTimeoutMs, KEY, sim.baseUrl(), sim.baseUrl(), closedPort);
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    @BeforeEach
    void clear() {
        sim.clearRequests();
    }

    private OpenAIClient sdk(String path) {
        return OpenAIOkHttpClient.builder().baseUrl(base + path).apiKey(KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(40))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(boolean stream) {
        return "{\"model\":\"gpt-4o-mini\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the team\"}]}";
    }

    private JsonNode json(String s) throws Exception {
        return mapper.readTree(s);
    }

    @Test
    void javaSdkChatStreamAndResponsesOverV1() {
        OpenAIClient c = sdk("/v1");
        ChatCompletion cc = c.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini").addUserMessage("Say hello").build());
        assertFalse(cc.choices().get(0).message().content().orElse("").isEmpty());
        assertTrue(cc.usage().orElseThrow().promptTokens() > 0);

        StringBuilder text = new StringBuilder();
        AtomicReference<CompletionUsage> usage = new AtomicReference<>();
        try (StreamResponse<ChatCompletionChunk> s = c.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model("gpt-4o-mini").addUserMessage("Say hello")
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            s.stream().forEach(ch -> {
                ch.choices().forEach(x -> x.delta().content().ifPresent(text::append));
                ch.usage().ifPresent(usage::set);
            });
        }
        assertFalse(text.isEmpty());
        assertNotNull(usage.get(), "the client asked for usage, so the usage chunk reaches it");

        StringBuilder rtext = new StringBuilder();
        AtomicReference<ResponseUsage> rusage = new AtomicReference<>();
        try (StreamResponse<ResponseStreamEvent> s = c.responses().createStreaming(
                ResponseCreateParams.builder().model("gpt-4o-mini").input("Say hello").build())) {
            s.stream().forEach(ev -> {
                ev.outputTextDelta().ifPresent(d -> rtext.append(d.delta()));
                ev.completed().ifPresent(done -> done.response().usage().ifPresent(rusage::set));
            });
        }
        assertFalse(rtext.isEmpty());
        assertTrue(rusage.get().outputTokens() > 0);
        assertEquals("/openai/v1/responses", sim.requests().getLast().path());
    }

    @Test
    void javaSdkEmbeddingsOverOpenAiV1AndAzureLegacyClassic() {
        var e = sdk("/openai/v1").embeddings().create(EmbeddingCreateParams.builder()
                .model("text-embedding-3-small").input("hello").build());
        assertFalse(e.data().get(0).embedding().isEmpty());

        OpenAIClient legacy = OpenAIOkHttpClient.builder().baseUrl(base)
                .credential(AzureApiKeyCredential.create(KEY))
                .azureServiceVersion(AzureOpenAIServiceVersion.fromString("2024-10-21"))
                .azureUrlPathMode(AzureUrlPathMode.LEGACY)
                .maxRetries(0).build();
        ChatCompletion cc = legacy.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("classic-4o").addUserMessage("Say hello").build());
        assertFalse(cc.choices().get(0).message().content().orElse("").isEmpty());
        RecordedRequest r = sim.requests().getLast();
        assertEquals("/openai/deployments/gpt-4o-mini/chat/completions", r.path());
        assertEquals("api-version=2024-10-21", r.query());
    }

    @Test
    void clientCredentialsNeverReachAzureAndRateLimitHeadersComeBack() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "cookie", "session=abc",
                "x-api-key", "other", "x-request-id", "my-req-1", "ocp-apim-subscription-key", "s");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("my-req-1", r.headers().firstValue("x-request-id").orElseThrow());
        assertTrue(r.headers().firstValue("apim-request-id").isPresent());
        assertTrue(r.headers().firstValue("x-ms-region").isPresent());
        RecordedRequest s = sim.requests().getLast();
        assertEquals("sim-key", s.header("api-key"));
        assertEquals(null, s.header("authorization"));
        assertEquals(null, s.header("cookie"));
        assertEquals(null, s.header("x-api-key"));
        assertEquals(null, s.header("ocp-apim-subscription-key"));
        assertEquals(null, s.header("proxy-connection"));
        assertEquals("my-req-1", s.header("x-request-id"));
        assertEquals("gpt-4o-mini", json(s.body()).get("model").asText());
    }

    @Test
    void rateLimitReachesTheSdkWithItsHeadersAfterTheRetry() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "429",
                "x-sim-retry-after-ms", "300", "x-sim-fault-count", "5", "x-sim-fault-key", "rl-" + t0);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(429, r.statusCode());
        assertEquals("300", r.headers().firstValue("retry-after-ms").orElseThrow());
        assertTrue(r.headers().firstValue("retry-after").isPresent());
        assertTrue(r.headers().firstValue("x-ratelimit-remaining-requests").isPresent());
        assertEquals("429", json(r.body()).at("/error/code").asText(), "Azure's body unchanged");
        assertEquals(2, sim.requests().size(), "maxRetries 1: two attempts");
        assertTrue(ms >= 300, "the retry waited retry-after-ms (" + ms + " ms)");

        RateLimitException e = assertThrows(RateLimitException.class, () -> OpenAIOkHttpClient.builder()
                .baseUrl(base + "/v1").apiKey(KEY).maxRetries(0)
                .putHeader("x-sim-fault", "429").putHeader("x-sim-retry-after-ms", "200").build()
                .chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                        .addUserMessage("hi").build()));
        assertEquals(429, e.statusCode());
        assertEquals(List.of("200"), e.headers().values("retry-after-ms"));
    }

    @Test
    void retryAfterIsHonouredThenTheRetrySucceeds() throws Exception {
        String key = "ok-" + System.nanoTime();
        long t0 = System.nanoTime();
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "429",
                "x-sim-retry-after-ms", "700", "x-sim-fault-count", "1", "x-sim-fault-key", key);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, sim.requests().size());
        assertTrue(ms >= 700 && ms < 10_000, "waited " + ms + " ms for a retry-after of 700 ms");
    }

    @Test
    void serverErrorsAreRetriedAndPassedThroughUnchanged() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "503");
        assertEquals(503, r.statusCode());
        assertTrue(json(r.body()).has("error"), r.body());
        assertEquals(2, sim.requests().size());
        HttpResponse<String> r5 = post("/v1/chat/completions", chat(true), "x-sim-fault", "500");
        assertEquals(500, r5.statusCode(), "a stream that fails before its first event keeps the real status");
        assertTrue(r5.headers().firstValue("content-type").orElse("").contains("json"));
    }

    @Test
    void contentFilterErrorReachesTheSdkUnchanged() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "content-filter");
        assertEquals(400, r.statusCode());
        assertEquals("content_filter", json(r.body()).at("/error/code").asText());
        assertEquals(1, sim.requests().size(), "400 is not retried");
        BadRequestException e = assertThrows(BadRequestException.class, () -> OpenAIOkHttpClient.builder()
                .baseUrl(base + "/v1").apiKey(KEY).maxRetries(0).putHeader("x-sim-fault", "content-filter").build()
                .chat().completions().create(ChatCompletionCreateParams.builder().model("gpt-4o-mini")
                        .addUserMessage("hi").build()));
        assertTrue(e.getMessage().contains("content management policy"), e.getMessage());
    }

    @Test
    void firstByteTimeoutOnSlowHeaders() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "slow-headers",
                "x-sim-delay-ms", "9000");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("upstream_first_byte_timeout", json(r.body()).at("/error/code").asText());
        assertTrue(ms >= FIRST_BYTE_MS - 100 && ms < FIRST_BYTE_MS + 3000, "504 after " + ms + " ms");
        assertTrue(r.headers().firstValue("x-request-id").isPresent());
    }

    @Test
    void streamStalledBeforeFirstEventGets504NotA200() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = post("/v1/chat/completions", chat(true), "x-sim-fault", "stall-before-first-event",
                "x-sim-delay-ms", "9000");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(504, r.statusCode(), r.body());
        assertEquals("upstream_first_byte_timeout", json(r.body()).at("/error/code").asText());
        assertTrue(ms >= FIRST_BYTE_MS - 100 && ms < FIRST_BYTE_MS + 3000, "504 after " + ms + " ms");
    }

    @Test
    void idleTimeoutMidStreamEndsWithAnErrorEvent() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = post("/v1/chat/completions", chat(true), "x-sim-fault", "stall-mid-stream",
                "x-sim-delay-ms", "9000");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(200, r.statusCode());
        String[] events = r.body().split("\n\n");
        String last = events[events.length - 1];
        assertTrue(last.startsWith("data: {\"error\""), last);
        assertEquals("upstream_idle_timeout", json(last.substring(6)).at("/error/code").asText());
        assertTrue(events.length >= 2, r.body());
        assertTrue(ms >= IDLE_MS - 100 && ms < IDLE_MS + 4000, "ended after " + ms + " ms");

        // a Responses client gets a Responses-style error event
        HttpResponse<String> rr = post("/v1/responses", "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"input\":\"hi\"}",
                "x-sim-fault", "stall-mid-stream", "x-sim-delay-ms", "9000");
        assertTrue(rr.body().trim().endsWith("}"), rr.body());
        assertTrue(rr.body().contains("event: error\ndata: {\"type\":\"error\",\"code\":\"upstream_idle_timeout\""), rr.body());
    }

    @Test
    void resetMidStreamEndsWithAnErrorEventAndNothingAfter() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(true), "x-sim-fault", "reset-mid-stream");
        assertEquals(200, r.statusCode());
        String body = r.body();
        assertTrue(body.endsWith("\n\n"));
        String[] events = body.split("\n\n");
        assertTrue(events[events.length - 1].startsWith("data: {\"error\""), body);
        assertFalse(body.contains("[DONE]"));
    }

    @Test
    void splitUtf8ArrivesIntact() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(true), "x-sim-fault", "split-utf8");
        assertEquals(200, r.statusCode());
        assertFalse(r.body().contains("\uFFFD"), r.body());
        StringBuilder text = new StringBuilder();
        for (String ev : r.body().split("\n\n")) {
            if (ev.startsWith("data: {")) {
                for (JsonNode ch : json(ev.substring(6)).path("choices")) {
                    text.append(ch.at("/delta/content").asText(""));
                }
            }
        }
        assertTrue(text.codePoints().anyMatch(cp -> cp > 127), text.toString());
        assertTrue(r.body().endsWith("data: [DONE]\n\n"));
        assertFalse(r.body().contains("\"choices\":[],\"usage\":{"), "the injected usage chunk is dropped");
    }

    @Test
    void networkFailuresHaveTheirOwnCodes() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "disconnect-before-headers");
        assertEquals(502, r.statusCode(), r.body());
        String code = json(r.body()).at("/error/code").asText();
        assertTrue(code.equals("upstream_connection_closed") || code.equals("upstream_connection_reset")
                || code.equals("upstream_network_error"), code);
        HttpResponse<String> d = post("/v1/chat/completions", chat(false).replace("gpt-4o-mini", "dead-model"));
        assertEquals(502, d.statusCode());
        assertEquals("upstream_connection_refused", json(d.body()).at("/error/code").asText());
    }

    @Test
    void clientDisconnectCancelsTheUpstreamWithinASecond() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer " + KEY)
                .header("x-sim-tokens", "400").header("x-sim-tokens-per-second", "40")
                .POST(HttpRequest.BodyPublishers.ofString(chat(true))).build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            assertNotNull(in.readLine());
        }
        long before = sim.stats().clientDisconnects();
        in.close();
        long t0 = System.nanoTime();
        long waited = -1;
        for (int i = 0; i < 100; i++) {
            if (sim.stats().clientDisconnects() > before) {
                waited = (System.nanoTime() - t0) / 1_000_000;
                break;
            }
            Thread.sleep(50);
        }
        assertTrue(waited >= 0, "the simulator never saw the proxy close the stream");
        assertTrue(waited < 2000, "upstream closed " + waited + " ms after the client left");
        System.out.println("client disconnect -> upstream close: " + waited + " ms");
    }

    @Test
    void bodyLimitAndProtocolErrors() throws Exception {
        String big = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(250_000) + "\"}]}";
        // the refused uploads on a client of their own: the proxy answers 413 and closes while the client is still
        // sending, and a connection of such an exchange must not be offered to the requests that follow
        HttpClient uploads = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = uploads.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(40)).header("content-type", "application/json")
                .header("authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(big)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(413, r.statusCode());
        assertEquals("request_too_large", json(r.body()).at("/error/code").asText());
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        big.getBytes(StandardCharsets.UTF_8)))).build();
        HttpResponse<String> c = uploads.send(chunked, HttpResponse.BodyHandlers.ofString());
        uploads.close();
        assertEquals(413, c.statusCode(), "no content-length, streamed over the limit");
        assertEquals(0, sim.requests().size());

        HttpResponse<String> v = post("/openai/deployments/gpt-4o-mini/chat/completions", chat(false));
        assertEquals(400, v.statusCode());
        assertEquals("missing_api_version", json(v.body()).at("/error/code").asText());
        HttpResponse<String> m = post("/v1/chat/completions", "{\"messages\":[]}");
        assertEquals(400, m.statusCode());
        assertEquals("missing_model", json(m.body()).at("/error/code").asText());
        HttpResponse<String> t = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "text/plain").header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(chat(false))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(415, t.statusCode());
        HttpResponse<String> u = post("/v1/files", "{}");
        assertEquals(404, u.statusCode());
        assertEquals("unknown_url", json(u.body()).at("/error/code").asText());
    }

    /**
     * The 413 must reach a client that goes on sending after it: the proxy reads and discards the rest of the upload
     * before it closes, so no reset overtakes the answer. The client here first waits for the answer, then sends the
     * body: without the drain the proxy has closed by then and the writes fail with a reset.
     */
    @Test
    void refusedUploadIsReadToTheEndBeforeTheClose() throws Exception {
        byte[] body = ("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + "y".repeat(400_000) + "\"}]}").getBytes(StandardCharsets.UTF_8);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            java.io.InputStream in = s.getInputStream();
            int first = in.read(); // the answer has started: the proxy refused on the announced length
            assertEquals('H', first);
            Thread.sleep(300);
            for (int off = 0; off < body.length; off += 8192) {
                out.write(body, off, Math.min(8192, body.length - off)); // a reset here fails the test
            }
            out.flush();
            String answer = (char) first + new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
            assertTrue(answer.contains("\"request_too_large\""), answer);
        }
        assertEquals(0, sim.requests().size());
    }

    /** A client waiting for "100 Continue" gets the 413 alone: the proxy reads nothing (Helidon would send the 100). */
    @Test
    void aRefusedUploadThatWaitsFor100ContinueGetsOnlyThe413() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + KEY + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 400000"
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            assertFalse(answer.contains("100 Continue"), answer);
        }
    }

    @Test
    void requestTimeoutAfterAHotReload() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Files.writeString(config, configJson(1500, closed));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (proxy.config().current().config().server().upstream().requestTimeoutMs() != 1500) {
            assertTrue(System.nanoTime() < deadline, "the new config was not picked up");
            Thread.sleep(100);
        }
        try {
            long t0 = System.nanoTime();
            HttpResponse<String> r = post("/v1/chat/completions", chat(false), "x-sim-fault", "slow-headers",
                    "x-sim-delay-ms", "3500");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(504, r.statusCode(), r.body());
            assertEquals("upstream_request_timeout", json(r.body()).at("/error/code").asText());
            assertTrue(ms >= 1400 && ms < 3400, "504 after " + ms + " ms");
        } finally {
            Files.writeString(config, configJson(60000, closed));
            long d2 = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (proxy.config().current().config().server().upstream().requestTimeoutMs() != 60000
                    && System.nanoTime() < d2) {
                Thread.sleep(100);
            }
        }
    }

    @Test
    void imagesAndClassicResponsesRoutes() throws Exception {
        HttpResponse<String> img = post("/v1/images/generations", "{\"model\":\"gpt-image-1\",\"prompt\":\"a cat\"}");
        assertEquals(200, img.statusCode(), img.body());
        assertTrue(json(img.body()).path("data").isArray(), img.body());
        RecordedRequest ri = sim.requests().getLast();
        assertEquals("/openai/v1/images/generations", ri.path());
        assertEquals("", ri.query(), "v1 without an api-version unless the upstream sets one");

        HttpResponse<String> r = post("/openai/responses?api-version=2025-04-01-preview",
                "{\"model\":\"classic-4o\",\"input\":\"Say hello\"}", "api-key", KEY);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("response", json(r.body()).path("object").asText(), r.body());
        RecordedRequest rr = sim.requests().getLast();
        assertEquals("/openai/responses", rr.path());
        assertEquals("api-version=2025-04-01-preview", rr.query());
        assertEquals("gpt-4o-mini", json(rr.body()).path("model").asText());

        HttpResponse<String> e = post("/openai/deployments/classic-4o/embeddings?api-version=2024-10-21",
                "{\"input\":\"hello\"}");
        assertEquals(200, e.statusCode(), e.body());
        assertEquals("/openai/deployments/gpt-4o-mini/embeddings", sim.requests().getLast().path());

        HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(metrics.body().contains("aoaigw_tokens_total"), "token counters are exported");
        assertTrue(metrics.body().contains("model=\"classic-4o\""), "tagged by public model");
    }

    @Test
    void modelsListComesFromConfig() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models"))
                .header("authorization", "Bearer " + KEY).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        List<String> ids = new ArrayList<>();
        json(r.body()).path("data").forEach(n -> ids.add(n.path("id").asText()));
        assertTrue(ids.contains("gpt-4o-mini") && ids.contains("classic-4o"), ids.toString());
        assertEquals(0, sim.requests().size(), "never calls Azure");
        var m = sdk("/v1").models().retrieve("classic-4o");
        assertEquals("azure", m.ownedBy());
    }
}
