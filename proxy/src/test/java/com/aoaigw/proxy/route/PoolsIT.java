package com.aoaigw.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.observe.AccessLog;
import com.aoaigw.proxy.observe.AccessRecord;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.sim.Capacity;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.Fault;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Deployment pools end to end: the proxy in-process in front of two simulators on two ports (two "regions", so a
 * failover is a real second origin), over real sockets. Each test uses its own models and deployments, so the
 * round-robin counters and the health of one test do not leak into another.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PoolsIT {
    private static final String ALL = "key-all";
    private static final String LIMITED = "key-limited";
    private static final long FIRST_BYTE_MS = 2000;

    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, ExchangeLog> logs = new ConcurrentHashMap<>();
    private final java.util.logging.Logger access = java.util.logging.Logger.getLogger(AccessLog.LOGGER);
    private final java.util.logging.Handler capture = new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord r) {
            if (r instanceof AccessRecord a) {
                logs.put(a.exchange().requestId(), a.exchange());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private FoundrySim a;
    private FoundrySim b;
    private Path dir;
    private ProxyServer proxy;
    private String base;

    @BeforeAll
    void start() throws Exception {
        DeploymentSettings d = DeploymentSettings.defaults();
        a = FoundrySim.start(SimSettings.builder().strictDeployments(false)
                .deployment("a-503", d.withFault(Fault.UNAVAILABLE))
                .deployment("a-slow", d.withFault(Fault.SLOW_HEADERS))
                .deployment("a-stall", d.withFault(Fault.STALL_BEFORE_FIRST_EVENT))
                .deployment("a-reset", d.withFault(Fault.RESET_MID_STREAM))
                .deployment("a-429-once", d.withFault(Fault.RATE_LIMIT).withFaultCount(1))
                .deployment("a-ptu", d.withCapacity(new Capacity(4, 0, true)))
                .deployment("a-emb-503", d.withFault(Fault.UNAVAILABLE))
                .deployment("a-img-503", d.withFault(Fault.UNAVAILABLE))
                .build());
        b = FoundrySim.start(SimSettings.builder().strictDeployments(false).build());
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        dir = Files.createTempDirectory("pools-it");
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"upstream":{"connectTimeoutMs":2000,"firstByteTimeoutMs":%d,"requestTimeoutMs":30000,
                   "maxRetries":0}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"all","key":"%s"},{"id":"limited","key":"%s","models":["fb-primary"]}],
                 "upstreams":[{"name":"a","baseUrl":"%s"},{"name":"b","baseUrl":"%s"},
                              {"name":"dead","baseUrl":"http://127.0.0.1:%d"}],
                 "models":[
                   {"id":"weighted","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"w","weight":3},
                                                  {"upstream":"b","deployment":"w","weight":1}]},
                   {"id":"refused","family":"gpt-4o","deployments":[{"upstream":"dead","deployment":"r"},
                                                 {"upstream":"b","deployment":"r","priority":1}]},
                   {"id":"five-hundred","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"a-503"},
                                                      {"upstream":"b","deployment":"ok","priority":1}]},
                   {"id":"slow","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"a-slow"},
                                              {"upstream":"b","deployment":"ok","priority":1}]},
                   {"id":"stall","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"a-stall"},
                                               {"upstream":"b","deployment":"ok","priority":1}]},
                   {"id":"reset","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"a-reset"},
                                               {"upstream":"b","deployment":"ok","priority":1}]},
                   {"id":"spill","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"a-429-once"},
                                               {"upstream":"b","deployment":"ok","priority":1}]},
                   {"id":"busy","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"busy-a"},
                                              {"upstream":"b","deployment":"busy-b","priority":1}]},
                   {"id":"ptu","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"a-ptu","spillAbovePercent":50},
                                             {"upstream":"b","deployment":"payg","priority":1}]},
                   {"id":"fb-primary","family":"gpt-4o","upstream":"dead","targetModel":"x","fallbacks":["fb-second"]},
                   {"id":"fb-second","family":"gpt-4o","upstream":"b","targetModel":"fb"},
                   {"id":"emb","family":"embedding","deployments":[{"upstream":"a","deployment":"a-emb-503"},
                                                {"upstream":"b","deployment":"text-embedding-3-small","priority":1}]},
                   {"id":"img","family":"image","deployments":[{"upstream":"a","deployment":"a-img-503"},
                                            {"upstream":"b","deployment":"gpt-image-1","priority":1}]}]}
                """.formatted(FIRST_BYTE_MS, ALL, LIMITED, a.baseUrl(), b.baseUrl(), closed));
        proxy = ProxyServer.start(ProcessSettings.forTest(config).withForwardHeaders(List.of("x-sim-*")));
        access.addHandler(capture);
        base = "http://127.0.0.1:" + proxy.port();
    }

    @AfterAll
    void stop() throws Exception {
        access.removeHandler(capture);
        if (proxy != null) {
            proxy.stop();
        }
        if (a != null) {
            a.stop();
        }
        if (b != null) {
            b.stop();
        }
    }

    private HttpResponse<String> post(String path, String key, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(40))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(String model, boolean stream, String... headers) throws Exception {
        return post("/v1/chat/completions", ALL, "{\"model\":\"" + model + "\",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", headers);
    }

    private static String servedBy(HttpResponse<String> r) {
        return r.headers().firstValue("x-aoaigw-served-by").orElse("");
    }

    private static long count(FoundrySim sim, String deployment) {
        return sim.requests().stream().filter(q -> deployment.equals(deploymentOf(q))).count();
    }

    private static String deploymentOf(RecordedRequest q) {
        String body = q.body();
        int i = body.indexOf("\"model\":\"");
        if (i < 0) {
            return null;
        }
        int s = i + 9;
        return body.substring(s, body.indexOf('"', s));
    }

    /** The access record of a request (written just after the response, so it may take a moment). */
    private ExchangeLog log(HttpResponse<String> r) throws InterruptedException {
        String id = r.headers().firstValue("x-request-id").orElseThrow();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until) {
            ExchangeLog e = logs.get(id);
            if (e != null) {
                return e;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no access record for " + id);
    }

    private JsonNode json(String s) throws Exception {
        return mapper.readTree(s);
    }

    @Test
    void weightsThreeAndOneSplitFortyRequestsExactlyThirtyAndTen() throws Exception {
        for (int i = 0; i < 40; i++) {
            assertEquals(200, chat("weighted", false).statusCode());
        }
        assertEquals(30, count(a, "w"));
        assertEquals(10, count(b, "w"));
    }

    @Test
    void aRefusedPrimaryFailsOverToTheNextPriorityAtOnce() throws Exception {
        HttpResponse<String> r = chat("refused", false);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("model=refused, deployment=b/r", servedBy(r));
        List<ExchangeLog.Attempt> attempts = log(r).attemptList();
        assertEquals(2, attempts.size());
        assertEquals("upstream_connection_refused", attempts.get(0).error());
        assertEquals("dead", attempts.get(0).upstream());
        assertEquals(200, attempts.get(1).status());
        assertEquals("b", log(r).upstream());
    }

    @Test
    void aServerErrorFailsOverAndTheClientSeesOnlyTheSecondAnswer() throws Exception {
        HttpResponse<String> r = chat("five-hundred", false);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("model=five-hundred, deployment=b/ok", servedBy(r));
        assertEquals(1, count(a, "a-503"));
        assertEquals(503, log(r).attemptList().get(0).status());
    }

    @Test
    void aFirstByteTimeoutFailsOver() throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> r = chat("slow", false, "x-sim-delay-ms", "8000");
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("model=slow, deployment=b/ok", servedBy(r));
        assertTrue(ms >= FIRST_BYTE_MS && ms < 7000, "cut at the first-byte timeout, then served: " + ms);
        assertEquals("upstream_first_byte_timeout", log(r).attemptList().get(0).error());
    }

    @Test
    void aStreamFailsOverBeforeItsFirstEvent() throws Exception {
        HttpResponse<String> r = chat("stall", true, "x-sim-delay-ms", "8000");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("model=stall, deployment=b/ok", servedBy(r));
        assertTrue(r.body().contains("data: [DONE]"), r.body());
        assertFalse(r.body().contains("\"error\""), r.body());
    }

    @Test
    void aStreamNeverFailsOverOnceItStarted() throws Exception {
        HttpResponse<String> r = chat("reset", true);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"error\""), "ends with an error event: " + r.body());
        assertFalse(r.body().contains("data: [DONE]"));
        assertEquals(0, count(b, "ok-reset-never"), "nothing sent elsewhere");
        assertEquals(1, log(r).attempts());
        assertEquals("model=reset, deployment=a/a-reset", servedBy(r));
    }

    @Test
    void a429SpillsOverAndThePrimaryIsBackRightAfterItsRetryAfter() throws Exception {
        HttpResponse<String> first = chat("spill", false);
        long at429 = System.nanoTime();
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("model=spill, deployment=b/ok", servedBy(first));
        // the simulator's 429 asks for 1000 ms: until then the primary gets nothing
        HttpResponse<String> during = chat("spill", false);
        if (TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at429) < 900) {
            assertEquals("model=spill, deployment=b/ok", servedBy(during));
        }
        long left = 1000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - at429);
        if (left > 0) {
            // waiting out the cooldown is what this test is about
            Thread.sleep(left + 50);
        }
        HttpResponse<String> after = chat("spill", false);
        assertEquals(200, after.statusCode());
        assertEquals("model=spill, deployment=a/a-429-once", servedBy(after));
    }

    @Test
    void whenEveryDeploymentIsCoolingTheClientGetsOne429WithTheSoonestRetryAfter() throws Exception {
        HttpResponse<String> both = chat("busy", false, "x-sim-fault", "429", "x-sim-retry-after-ms", "3000");
        assertEquals(429, both.statusCode(), "both answered 429: Azure's last answer passes through");
        assertEquals(2, log(both).attempts());
        HttpResponse<String> r = chat("busy", false);
        assertEquals(429, r.statusCode());
        JsonNode e = json(r.body()).path("error");
        assertEquals("all_deployments_busy", e.path("code").asText());
        assertEquals("3", r.headers().firstValue("retry-after").orElseThrow());
        long ms = Long.parseLong(r.headers().firstValue("retry-after-ms").orElseThrow());
        assertTrue(ms > 1000 && ms <= 3000, "the soonest deployment is back in " + ms + " ms");
        assertEquals(0, log(r).attempts(), "no upstream call and no wait");
    }

    @Test
    void aPtuAboveItsUtilisationThresholdSpillsToPayAsYouGo() throws Exception {
        // capacity 4 rpm: after the 3rd request Azure reports 75 %, above the 50 % threshold
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = chat("ptu", false);
            assertEquals("model=ptu, deployment=a/a-ptu", servedBy(r), "request " + i);
        }
        HttpResponse<String> spilled = chat("ptu", false);
        assertEquals(200, spilled.statusCode());
        assertEquals("model=ptu, deployment=b/payg", servedBy(spilled));
        assertEquals("model=ptu, deployment=b/payg", servedBy(chat("ptu", false)));
        assertEquals(3, count(a, "a-ptu"), "the PTU never reached its 429");
    }

    @Test
    void aFallbackModelServesWhenTheKeyMayUseIt() throws Exception {
        String body = "{\"model\":\"fb-primary\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        HttpResponse<String> r = post("/v1/chat/completions", ALL, body);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("model=fb-second, deployment=b/fb", servedBy(r));
        List<ExchangeLog.Attempt> attempts = log(r).attemptList();
        assertEquals("fb-primary", attempts.get(0).model());
        assertEquals("fb-second", attempts.get(1).model());
        // a key limited to fb-primary does not get the fallback
        HttpResponse<String> limited = post("/v1/chat/completions", LIMITED, body);
        assertEquals(502, limited.statusCode(), limited.body());
        assertEquals("upstream_connection_refused", json(limited.body()).path("error").path("code").asText());
    }

    @Test
    void embeddingsAndImagesPoolsFailOverToo() throws Exception {
        HttpResponse<String> e = post("/v1/embeddings", ALL, "{\"model\":\"emb\",\"input\":\"hello\"}");
        assertEquals(200, e.statusCode(), e.body());
        assertEquals("model=emb, deployment=b/text-embedding-3-small", servedBy(e));
        HttpResponse<String> i = post("/v1/images/generations", ALL, "{\"model\":\"img\",\"prompt\":\"a cat\"}");
        assertEquals(200, i.statusCode(), i.body());
        assertEquals("model=img, deployment=b/gpt-image-1", servedBy(i));
    }
}
