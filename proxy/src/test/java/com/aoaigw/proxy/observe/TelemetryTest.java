package com.aoaigw.proxy.observe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.aoaigw.proxy.translate.Usage;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TelemetryTest {
    private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CLIENT_PARENT = "00-" + CLIENT_TRACE + "-00f067aa0ba902b7-01";
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
            .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
            .build();
    private final Telemetry telemetry = Telemetry.of(sdk);

    @AfterEach
    void close() {
        telemetry.close();
    }

    private static Map<String, String> headers(String traceparent) {
        return traceparent == null ? Map.of() : Map.of("traceparent", traceparent, "tracestate", "vendor=abc");
    }

    @Test
    void aStreamedChatBecomesOneServerSpanWithTimedChildrenAndGenAiAttributes() {
        long t0 = System.nanoTime();
        ExchangeLog log = new ExchangeLog("req_1", t0, "POST", "/v1/chat/completions");
        Telemetry.ServerSpan s = telemetry.start("POST", "/v1/chat/completions", t0, headers(CLIENT_PARENT)::get);
        log.trace(s);
        assertTrue(s.traceparent().startsWith("00-" + CLIENT_TRACE + "-"), "the client's trace continues");
        assertFalse(s.traceparent().contains("00f067aa0ba902b7"), "Azure gets the proxy's span as its parent");
        assertEquals("vendor=abc", s.tracestate());
        log.route("chat/completions");
        log.model("gpt-4o");
        log.keyId("team-a");
        log.deployment("gpt-4o-ptu");
        log.upstream("eastus");
        log.stream(true);
        log.status(200);
        log.ttftMs(40);
        log.usage(new Usage(12, 30, 0));
        log.genAi(new ExchangeLog.GenAiDetails("gpt-4o-2024-11-20", 256, List.of("stop")));
        log.phase(new ExchangeLog.Phase("auth", t0 + 1_000_000, t0 + 2_000_000, false, false, Map.of()));
        log.phase(new ExchangeLog.Phase("upstream attempt", t0 + 3_000_000, t0 + 20_000_000, true, true,
                Map.of("aoaigw.deployment", "gpt-4o-ptu", "http.response.status_code", 429,
                        "error.type", "rate_limited")));
        log.phase(new ExchangeLog.Phase("upstream attempt", t0 + 21_000_000, t0 + 90_000_000, true, false,
                Map.of("aoaigw.deployment", "gpt-4o-paygo", "http.response.status_code", 200)));
        telemetry.finish(log.trace(), log, t0 + 100_000_000);

        List<SpanData> all = spans.getFinishedSpanItems();
        assertEquals(4, all.size());
        SpanData server = all.stream().filter(d -> d.getKind() == SpanKind.SERVER).findFirst().orElseThrow();
        assertEquals("POST /v1/chat/completions", server.getName());
        assertEquals(CLIENT_TRACE, server.getTraceId());
        assertEquals("00f067aa0ba902b7", server.getParentSpanId());
        assertEquals("chat", server.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
        assertEquals("gpt-4o", server.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")));
        assertEquals("gpt-4o-2024-11-20", server.getAttributes().get(AttributeKey.stringKey("gen_ai.response.model")));
        assertEquals(12L, server.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")));
        assertEquals(30L, server.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")));
        assertEquals(256L, server.getAttributes().get(AttributeKey.longKey("gen_ai.request.max_tokens")));
        assertEquals(List.of("stop"),
                server.getAttributes().get(AttributeKey.stringArrayKey("gen_ai.response.finish_reasons")));
        assertEquals("team-a", server.getAttributes().get(AttributeKey.stringKey("aoaigw.key_id")));
        assertEquals("eastus", server.getAttributes().get(AttributeKey.stringKey("aoaigw.upstream")));
        assertEquals(List.of("gen_ai.first_byte", "gen_ai.end_of_stream"),
                server.getEvents().stream().map(e -> e.getName()).toList());
        assertEquals(100_000_000, server.getEndEpochNanos() - server.getStartEpochNanos(), 20_000_000,
                "the span lasts as long as the request");

        List<SpanData> attempts = all.stream().filter(d -> d.getName().equals("upstream attempt")).toList();
        assertEquals(2, attempts.size());
        for (SpanData a : attempts) {
            assertEquals(server.getSpanId(), a.getParentSpanId());
            assertEquals(SpanKind.CLIENT, a.getKind());
        }
        SpanData first = attempts.getFirst();
        assertEquals(StatusCode.ERROR, first.getStatus().getStatusCode());
        assertEquals(429L, first.getAttributes().get(AttributeKey.longKey("http.response.status_code")));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(17), first.getEndEpochNanos() - first.getStartEpochNanos());
        assertTrue(attempts.get(1).getStartEpochNanos() >= first.getEndEpochNanos(), "attempts keep their order");

        List<MetricData> m = List.copyOf(metrics.collectAllMetrics());
        assertTrue(m.stream().anyMatch(d -> d.getName().equals("gen_ai.client.token.usage")));
        assertTrue(m.stream().anyMatch(d -> d.getName().equals("gen_ai.client.operation.duration")));
        assertTrue(m.stream().anyMatch(d -> d.getName().equals("gen_ai.server.time_to_first_token")));
    }

    @Test
    void withoutAClientTraceANewTraceStartsAndErrorsAreMarked() {
        long t0 = System.nanoTime();
        ExchangeLog log = new ExchangeLog("req_2", t0, "POST", "/v1/embeddings");
        log.trace(telemetry.start("POST", "/v1/embeddings", t0, headers(null)::get));
        log.route("embeddings");
        log.model("text-embedding-3-small");
        log.status(502);
        log.errorCode("upstream_connection_refused");
        telemetry.finish(log.trace(), log, t0 + 5_000_000);
        SpanData server = spans.getFinishedSpanItems().getFirst();
        assertEquals(log.trace().traceId(), server.getTraceId());
        assertFalse(server.getParentSpanContext().isValid());
        assertEquals(StatusCode.ERROR, server.getStatus().getStatusCode());
        assertEquals("upstream_connection_refused", server.getAttributes().get(AttributeKey.stringKey("error.type")));
        assertEquals("embeddings", server.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")));
    }

    @Test
    void whenOffTheClientsContextIsPassedOnAndNothingIsRecorded() {
        Telemetry off = Telemetry.disabled();
        Telemetry.ServerSpan s = off.start("POST", "/v1/chat/completions", 0, headers(CLIENT_PARENT)::get);
        assertNull(s.span());
        assertEquals(CLIENT_PARENT, s.traceparent());
        assertEquals(CLIENT_TRACE, s.traceId());
        assertSame(Telemetry.ServerSpan.NONE, off.start("POST", "/v1/x", 0, headers("01-garbage")::get));
        assertSame(Telemetry.ServerSpan.NONE,
                off.start("POST", "/v1/x", 0, headers("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")::get));
        assertFalse(off.enabled());
    }

    @Test
    void theEnvironmentDecidesWhetherExportIsOn() {
        assertFalse(Telemetry.fromEnvironment(Map.of()).enabled());
        assertFalse(Telemetry.fromEnvironment(Map.of("OTEL_SERVICE_NAME", "x")).enabled());
        assertFalse(Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1",
                "OTEL_SDK_DISABLED", "true")).enabled());
        try (Telemetry on = Telemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1"))) {
            assertTrue(on.enabled());
            assertNotNull(on.start("POST", "/v1/responses", System.nanoTime(), name -> null).span());
        }
        try (Telemetry azure = Telemetry.fromEnvironment(Map.of("APPLICATIONINSIGHTS_CONNECTION_STRING",
                "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:1/"))) {
            assertTrue(azure.enabled(), "Azure Monitor export starts from the connection string alone");
        }
    }
}
