package com.aoaigw.proxy.reliability;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;

import io.opentelemetry.proto.trace.v1.Span;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static com.aoaigw.proxy.reliability.OtlpReceiver.attr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * OpenTelemetry end to end: the proxy as a child process exporting OTLP/HTTP to a receiver inside this test, with
 * foundry-sim as Azure. Checks the span tree of a stream with one failover, a translated stream and a refused
 * request: names, parent/child links, GenAI attributes, the client's traceparent continued and sent on to Azure,
 * the metrics, and that no secret or message text is anywhere in the exported bytes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TelemetryIT {
    private static final String KEY = "otel-client-key-5f1c9a";
    private static final String NARROW_KEY = "otel-narrow-key-77d2e0";
    private static final String SIM_KEY = "otel-sim-api-key-0b3e4d";
    private static final String PROMPT = "Tell me the weather secrets of Oslo quietly";
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private FoundrySim sim;
    private OtlpReceiver receiver;
    private ChildProxy proxy;

    @BeforeAll
    void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().apiKeys(SIM_KEY).build());
        receiver = new OtlpReceiver();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("otel-it");
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"upstream":{"maxRetries":0,"connectTimeoutMs":2000}},
                 "auth":{"mode":"apiKey","apiKey":"%s"},
                 "apiKeys":[{"id":"otel-team","key":"%s"},{"id":"narrow","key":"%s","models":["gpt-4o"]}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"},{"name":"dead","baseUrl":"http://127.0.0.1:%d"}],
                 "models":[{"id":"gpt-4o","upstream":"sim"},
                           {"id":"gpt-4o-routed","upstream":"sim","targetModel":"gpt-4o",
                            "routes":{"chat/completions":"responses"}},
                           {"id":"gpt-4o-pool","deployments":[
                               {"upstream":"dead","deployment":"gpt-4o","priority":0},
                               {"upstream":"sim","deployment":"gpt-4o","priority":1}]}]}
                """.formatted(SIM_KEY, KEY, NARROW_KEY, sim.baseUrl(), closed));
        proxy = ChildProxy.start(Map.of("CONFIG_PATH", config.toString(),
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_SERVICE_NAME", "gateway-under-test",
                "OTEL_BSP_SCHEDULE_DELAY", "100",
                "OTEL_METRIC_EXPORT_INTERVAL", "500"), List.of());
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (receiver != null) {
            receiver.close();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    private HttpResponse<String> post(String path, String key, String body, String traceparent) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.base() + path)).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").header("authorization", "Bearer " + key)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (traceparent != null) {
            b.header("traceparent", traceparent).header("tracestate", "client=1");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String chat(String model) {
        return "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":64,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"" + PROMPT + "\"}]}";
    }

    private static String newTraceId() {
        byte[] b = new byte[16];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private List<Span> trace(String traceId, int atLeast) {
        byte[] id = HexFormat.of().parseHex(traceId);
        Rig.await("the spans of trace " + traceId, 30_000, () -> receiver.spans().stream()
                .filter(s -> java.util.Arrays.equals(s.getTraceId().toByteArray(), id)).count() >= atLeast);
        return receiver.spans().stream().filter(s -> java.util.Arrays.equals(s.getTraceId().toByteArray(), id)).toList();
    }

    private static Span server(List<Span> spans) {
        return spans.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
    }

    private static List<Span> children(List<Span> spans, Span parent, String name) {
        return spans.stream().filter(s -> s.getParentSpanId().equals(parent.getSpanId()) && s.getName().equals(name))
                .toList();
    }

    private static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    @Test
    void aStreamWithOneFailoverIsOneTraceContinuedFromTheClientAndSentOnToAzure() throws Exception {
        String traceId = newTraceId();
        String clientSpan = "00f067aa0ba902b7";
        sim.clearRequests();
        HttpResponse<String> r = post("/v1/chat/completions", KEY, chat("gpt-4o-pool"),
                "00-" + traceId + "-" + clientSpan + "-01");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("data: [DONE]"));

        List<Span> spans = trace(traceId, 4);
        Span server = server(spans);
        assertEquals("POST /v1/chat/completions", server.getName());
        assertEquals(clientSpan, hex(server.getParentSpanId()), "the client's span is the parent");
        assertEquals("chat", attr(server, "gen_ai.operation.name"));
        assertEquals("gpt-4o-pool", attr(server, "gen_ai.request.model"));
        assertEquals("64", attr(server, "gen_ai.request.max_tokens"));
        assertNotNull(attr(server, "gen_ai.response.model"));
        assertTrue(Long.parseLong(attr(server, "gen_ai.usage.input_tokens")) > 0);
        assertTrue(Long.parseLong(attr(server, "gen_ai.usage.output_tokens")) > 0);
        assertEquals("[stop]", attr(server, "gen_ai.response.finish_reasons"));
        assertEquals("otel-team", attr(server, "aoaigw.key_id"));
        assertEquals("sim", attr(server, "aoaigw.upstream"));
        assertEquals("gpt-4o", attr(server, "aoaigw.deployment"));
        assertEquals("200", attr(server, "http.response.status_code"));
        assertEquals(List.of("gen_ai.first_byte", "gen_ai.end_of_stream"),
                server.getEventsList().stream().map(Span.Event::getName).toList());

        assertEquals(1, children(spans, server, "auth").size(), "auth and admission");
        assertEquals(1, children(spans, server, "route").size());
        List<Span> attempts = children(spans, server, "upstream attempt");
        assertEquals(2, attempts.size(), "one failover: two attempts");
        Span first = attempts.stream().min(java.util.Comparator.comparingLong(Span::getStartTimeUnixNano)).orElseThrow();
        Span second = attempts.stream().max(java.util.Comparator.comparingLong(Span::getStartTimeUnixNano)).orElseThrow();
        assertEquals("dead", attr(first, "aoaigw.upstream"));
        assertEquals("upstream_connection_refused", attr(first, "error.type"));
        assertEquals("sim", attr(second, "aoaigw.upstream"));
        assertEquals("200", attr(second, "http.response.status_code"));
        assertEquals("127.0.0.1", attr(second, "server.address"));
        for (Span a : attempts) {
            assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, a.getKind());
        }

        RecordedRequest seen = sim.requests().getLast();
        String sent = seen.header("traceparent");
        assertNotNull(sent, "Azure gets a traceparent");
        assertEquals("00-" + traceId + "-" + hex(server.getSpanId()) + "-01", sent, "Azure's parent is the proxy's span");
        assertTrue(proxy.output().contains("\"traceId\":\"" + traceId + "\""), "the access log names the trace");
    }

    @Test
    void aTranslatedStreamIsTracedWithTheClientsOperation() throws Exception {
        String traceId = newTraceId();
        sim.clearRequests();
        HttpResponse<String> r = post("/v1/chat/completions", KEY, chat("gpt-4o-routed"),
                "00-" + traceId + "-1111111111111111-01");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(sim.requests().getLast().path().endsWith("/responses"));
        List<Span> spans = trace(traceId, 3);
        Span server = server(spans);
        assertEquals("chat", attr(server, "gen_ai.operation.name"));
        assertEquals("gpt-4o-routed", attr(server, "gen_ai.request.model"));
        assertTrue(Long.parseLong(attr(server, "gen_ai.usage.output_tokens")) > 0);
        assertEquals(1, children(spans, server, "upstream attempt").size());
    }

    @Test
    void aRefusedRequestIsOneErrorSpanWithoutAttempts() throws Exception {
        String traceId = newTraceId();
        HttpResponse<String> r = post("/v1/chat/completions", NARROW_KEY, chat("gpt-4o-routed"),
                "00-" + traceId + "-2222222222222222-01");
        assertEquals(403, r.statusCode(), r.body());
        List<Span> spans = trace(traceId, 1);
        Span server = server(spans);
        assertEquals("403", attr(server, "http.response.status_code"));
        assertEquals("model_not_allowed", attr(server, "error.type"));
        assertEquals("narrow", attr(server, "aoaigw.key_id"));
        assertTrue(children(spans, server, "upstream attempt").isEmpty());
    }

    @Test
    void metricsArriveAndNoSecretOrMessageTextIsExported() throws Exception {
        post("/v1/chat/completions", KEY, chat("gpt-4o"), null);
        Rig.await("the GenAI metrics", 30_000, () -> receiver.metricNames().containsAll(List.of(
                "gen_ai.client.token.usage", "gen_ai.client.operation.duration", "gen_ai.server.time_to_first_token")));
        assertTrue(receiver.serviceNames().contains("gateway-under-test"));
        String all = new String(receiver.allBytes(), StandardCharsets.ISO_8859_1);
        for (String secret : List.of(KEY, NARROW_KEY, SIM_KEY, PROMPT, "weather secrets", "Hello from")) {
            assertFalse(all.contains(secret), "exported telemetry contains '" + secret + "'");
        }
    }
}
