package com.aoaigw.proxy.limit;

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
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Limits, quotas and budgets through the real proxy in front of foundry-sim, over real sockets: every refusal with
 * its OpenAI shape and headers, nothing of a refused request reaching the simulator, streamed tokens exhausting a
 * TPM, a client that leaves mid-stream being charged, the admin numbers and the metric. Each test has its own key.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LimitsIT {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private FoundrySim sim;
    private ProxyServer proxy;
    private Path dir;
    private String base;

    @BeforeAll
    void start() throws Exception {
        sim = FoundrySim.start(SimSettings.defaults());
        dir = Files.createTempDirectory("limits-it");
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"adminAuth":{"username":"ops","password":"Good-pass-123"}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"rpm3","key":"k-rpm3","limits":{"rpm":3},"owner":"Team R","note":"pilot"},
                            {"id":"tpm","key":"k-tpm","limits":{"tpm":300}},
                            {"id":"tpm-translated","key":"k-tpmx","limits":{"tpm":300}},
                            {"id":"daily","key":"k-daily","limits":{"tokensPerDay":150}},
                            {"id":"budget","key":"k-budget","limits":{"budgetPerMonth":0.001}},
                            {"id":"conc","key":"k-conc","limits":{"maxConcurrent":1}},
                            {"id":"cut","key":"k-cut","limits":{"tokensPerDay":1000000}},
                            {"id":"ends","key":"k-ends","limits":{"tokensPerDay":1000000}},
                            {"id":"old","key":"k-old","expiresAt":"2020-01-01T00:00:00Z"},
                            {"id":"m1","key":"k-m1"},{"id":"m2","key":"k-m2"},
                            {"id":"free","key":"k-free"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim","pricing":{"inputPer1M":10,"outputPer1M":40}},
                           {"id":"via-responses","upstream":"sim","targetModel":"gpt-4o-mini",
                            "routes":{"chat/completions":"responses"}},
                           {"id":"shared","upstream":"sim","targetModel":"gpt-4o-mini","limits":{"rpm":2}}]}
                """.formatted(sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(config).withForwardHeaders(List.of("x-sim-*")));
        base = "http://127.0.0.1:" + proxy.port();
    }

    @AfterAll
    void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    private HttpResponse<String> chat(String key, String model, boolean stream, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the team\"}]}"));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode error(HttpResponse<String> r) throws Exception {
        JsonNode e = json.readTree(r.body()).path("error");
        assertTrue(e.path("message").isTextual() && e.has("param") && e.has("type") && e.has("code"), r.body());
        return e;
    }

    private JsonNode admin(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/api" + path))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "ops:Good-pass-123".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return json.readTree(r.body());
    }

    private long simRequests() {
        return sim.requests().size();
    }

    @Test
    void rpmRefusesWith429RequestsRetryAfterAndTheKeysOwnHeadersAndNothingReachesAzure() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> ok = chat("k-rpm3", "gpt-4o-mini", false);
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals("3", ok.headers().firstValue("x-ratelimit-limit-requests").orElseThrow());
            assertEquals(Integer.toString(2 - i), ok.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
            assertTrue(ok.headers().firstValue("x-ratelimit-reset-requests").orElseThrow().endsWith("s"));
            // Azure's own x-ratelimit-* describe the shared deployment: not passed to a limited key
            assertTrue(ok.headers().firstValue("x-ratelimit-limit-tokens").isEmpty(), ok.headers().toString());
        }
        long before = simRequests();
        HttpResponse<String> no = chat("k-rpm3", "gpt-4o-mini", false);
        assertEquals(429, no.statusCode());
        JsonNode e = error(no);
        assertEquals("rate_limit_exceeded", e.path("code").asText());
        assertEquals("requests", e.path("type").asText());
        assertTrue(e.path("message").asText().startsWith("Rate limit reached for key `rpm3` on requests per min "
                + "(RPM): Limit 3, Used 3, Requested 1. Please try again in "), e.path("message").asText());
        long retry = Long.parseLong(no.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retry >= 1 && retry <= 61, "retry-after " + retry);
        assertEquals("0", no.headers().firstValue("x-ratelimit-remaining-requests").orElseThrow());
        assertEquals(before, simRequests(), "a refused request never reaches Azure");
        // an unlimited key still gets Azure's headers
        HttpResponse<String> free = chat("k-free", "gpt-4o-mini", false);
        assertTrue(free.headers().firstValue("x-ratelimit-limit-tokens").isPresent(), free.headers().toString());
        assertTrue(free.headers().firstValue("x-ratelimit-limit-requests").map(v -> !v.equals("3")).orElse(true));
        // the admin API and the metric show it
        JsonNode key = admin("/limits/keys/rpm3");
        assertEquals(3, key.at("/usage/requestsPerMinute/used").asLong());
        assertEquals(3, key.at("/usage/requestsPerMinute/limit").asLong());
        assertEquals("Team R", key.path("owner").asText());
        String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(metrics.lines().anyMatch(l -> l.startsWith("aoaigw_limited_total") && l.contains("key_id=\"rpm3\"")
                && l.contains("limit=\"rpm\"")), "aoaigw_limited_total{key_id=rpm3,limit=rpm} missing");
        assertTrue(metrics.contains("aoaigw_shared_state_up"), "aoaigw_shared_state_up missing");
    }

    /** A stream's prompt is tiny; the TPM is used up by the completion tokens the streams report. */
    private void streamsExhaustTpm(String key, String id, String model) throws Exception {
        int admitted = 0;
        HttpResponse<String> last = null;
        for (int i = 0; i < 10; i++) {
            last = chat(key, model, true, "x-sim-tokens", "100");
            if (last.statusCode() != 200) {
                break;
            }
            assertTrue(last.body().contains("[DONE]"), last.body());
            // the usage chunk the proxy asked for is not shown to a client that did not ask
            assertFalse(last.body().contains("\"prompt_tokens\""), last.body());
            admitted++;
        }
        assertNotNull(last);
        assertEquals(429, last.statusCode(), last.body());
        JsonNode e = error(last);
        assertEquals("tokens", e.path("type").asText());
        assertEquals("rate_limit_exceeded", e.path("code").asText());
        // each stream has over 100 tokens: at most 3 fit in 300, and the estimate alone (~15) would admit 10
        assertTrue(admitted >= 2 && admitted <= 3, "admitted " + admitted);
        assertEquals("300", last.headers().firstValue("x-ratelimit-limit-tokens").orElseThrow());
        JsonNode usage = admin("/limits/keys/" + id).path("usage");
        assertTrue(usage.at("/tokensPerMinute/used").asLong() >= 200 * admitted / 2, usage.toString());
        assertTrue(usage.at("/tokensToday/used").asLong() >= 100L * admitted, usage.toString());
    }

    @Test
    void aStreamingKeysTpmIsExhaustedByStreamedTokensOnly() throws Exception {
        streamsExhaustTpm("k-tpm", "tpm", "gpt-4o-mini");
    }

    @Test
    void translatedStreamsAreChargedToo() throws Exception {
        streamsExhaustTpm("k-tpmx", "tpm-translated", "via-responses");
        assertEquals("/openai/v1/responses", sim.requests().getLast().path());
    }

    @Test
    void anExhaustedDailyQuotaIsInsufficientQuota() throws Exception {
        assertEquals(200, chat("k-daily", "gpt-4o-mini", true, "x-sim-tokens", "200").statusCode());
        long before = simRequests();
        HttpResponse<String> no = chat("k-daily", "gpt-4o-mini", false);
        assertEquals(429, no.statusCode());
        JsonNode e = error(no);
        assertEquals("insufficient_quota", e.path("code").asText());
        assertEquals("insufficient_quota", e.path("type").asText());
        assertTrue(e.path("message").asText().contains("daily token quota of key `daily`: Limit 150"), e.toString());
        assertTrue(no.headers().firstValue("retry-after").isPresent());
        assertEquals(before, simRequests());
    }

    @Test
    void anExhaustedBudgetIsInsufficientQuota() throws Exception {
        // 0.001 USD: about 25 completion tokens at 40 per 1M
        assertEquals(200, chat("k-budget", "gpt-4o-mini", false, "x-sim-tokens", "100").statusCode());
        HttpResponse<String> no = chat("k-budget", "gpt-4o-mini", false);
        assertEquals(429, no.statusCode());
        JsonNode e = error(no);
        assertEquals("insufficient_quota", e.path("code").asText());
        assertTrue(e.path("message").asText().contains("monthly budget of key `budget`"), e.toString());
        JsonNode usage = admin("/limits/keys/budget").path("usage");
        assertTrue(usage.path("costThisMonth").asDouble() >= 0.001, usage.toString());
        assertEquals(0.0, usage.path("budgetRemaining").asDouble());
        assertEquals("USD", usage.path("currency").asText());
    }

    @Test
    void anExpiredKeyIs401() throws Exception {
        long before = simRequests();
        HttpResponse<String> r = chat("k-old", "gpt-4o-mini", false);
        assertEquals(401, r.statusCode());
        JsonNode e = error(r);
        assertEquals("invalid_api_key", e.path("code").asText());
        assertTrue(e.path("message").asText().contains("expired at 2020-01-01T00:00:00Z"), e.toString());
        assertEquals(before, simRequests());
        assertTrue(admin("/limits/keys/old").path("expired").asBoolean());
    }

    @Test
    void aStreamHoldsItsConcurrencySlotUntilItEnds() throws Exception {
        HttpRequest slow = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer k-conc")
                .header("x-sim-tokens", "30").header("x-sim-tokens-per-second", "20")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        HttpResponse<InputStream> stream = http.send(slow, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        HttpResponse<String> no = chat("k-conc", "gpt-4o-mini", false);
        assertEquals(429, no.statusCode());
        assertTrue(error(no).path("message").asText().startsWith("Too many concurrent requests for key `conc`"));
        try (InputStream in = stream.body()) {
            in.readAllBytes();
        }
        // the slot is freed when the exchange ends, just after the last byte
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int status;
        do {
            status = chat("k-conc", "gpt-4o-mini", false).statusCode();
        } while (status == 429 && System.nanoTime() < deadline);
        assertEquals(200, status);
    }

    @Test
    void aClientThatLeavesMidStreamIsChargedTheEstimatePlusWhatItSaw() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer k-cut")
                .header("x-sim-tokens", "400").header("x-sim-tokens-per-second", "40")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the team\"}]}"))
                .build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        for (int i = 0; i < 12; i++) {
            assertNotNull(in.readLine());
        }
        in.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long tokens = 0;
        while (System.nanoTime() < deadline) {
            tokens = admin("/limits/keys/cut").at("/usage/tokensToday/used").asLong();
            // charged when the proxy notices the client left; more than the prompt estimate (~10 tokens) alone
            if (tokens > 12) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(tokens > 12 && tokens < 400, "charged " + tokens + " tokens for a cut stream");
    }

    @Test
    void aStreamIsChargedBeforeTheClientHasItsEnd() throws Exception {
        // Azure keeps the connection open for 3 s after [DONE]: the client has the whole answer long before the
        // exchange is over, and its next request must already find these tokens counted
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                .header("content-type", "application/json").header("authorization", "Bearer k-ends")
                .header("x-sim-tokens", "100").header("x-sim-fault", "linger-after-last-event")
                .header("x-sim-delay-ms", "3000")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = in.readLine();
                assertNotNull(line, "the stream ended before [DONE]");
            } while (!line.equals("data: [DONE]"));
            long started = System.nanoTime();
            long tokens = admin("/limits/keys/ends").at("/usage/tokensToday/used").asLong();
            assertTrue(System.nanoTime() - started < TimeUnit.SECONDS.toNanos(2), "the admin read took too long");
            assertTrue(tokens >= 100, "tokens counted when the client had [DONE]: " + tokens);
        }
    }

    @Test
    void modelLimitsCountAcrossKeys() throws Exception {
        assertEquals(200, chat("k-m1", "shared", false).statusCode());
        assertEquals(200, chat("k-m2", "shared", false).statusCode());
        HttpResponse<String> no = chat("k-m1", "shared", false);
        assertEquals(429, no.statusCode());
        assertTrue(error(no).path("message").asText().startsWith("Rate limit reached for model `shared` on requests "
                + "per min (RPM): Limit 2"));
        // keys without their own limits get no x-ratelimit-* of the proxy's
        assertTrue(no.headers().firstValue("x-ratelimit-limit-requests").isEmpty());
    }

    @Test
    void theAdminApiListsEveryKeyAndTheSharedState() throws Exception {
        JsonNode all = admin("/limits");
        assertEquals("local", all.at("/sharedState/mode").asText());
        assertTrue(all.at("/sharedState/up").asBoolean());
        assertEquals(12, all.path("keys").size());
        JsonNode free = all.path("keys").get(11);
        assertEquals("free", free.path("id").asText());
        assertTrue(free.path("limits").isNull());
        assertTrue(free.at("/usage/requestsPerMinute/limit").isNull());
        HttpResponse<String> anon = http.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/limits")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anon.statusCode());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
