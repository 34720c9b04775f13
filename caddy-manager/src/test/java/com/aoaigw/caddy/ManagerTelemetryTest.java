package com.aoaigw.caddy;

import java.util.Map;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ManagerTelemetryTest {
    @Test
    void applySpansCarryTheEtagAndTheOutcome() {
        InMemorySpanExporter spans = InMemorySpanExporter.create();
        OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
        ManagerTelemetry t = ManagerTelemetry.of(sdk);
        try (ManagerTelemetry.Traced s = t.span("caddy apply").attribute("aoaigw.config_etag", "\"e1\"")) {
            s.attribute("aoaigw.outcome", "refused");
            s.failed("Caddy refused the config");
        }
        SpanData d = spans.getFinishedSpanItems().getFirst();
        assertEquals("caddy apply", d.getName());
        assertEquals("\"e1\"", d.getAttributes().get(AttributeKey.stringKey("aoaigw.config_etag")));
        assertEquals("refused", d.getAttributes().get(AttributeKey.stringKey("aoaigw.outcome")));
        assertEquals(StatusCode.ERROR, d.getStatus().getStatusCode());
        sdk.close();
    }

    @Test
    void offUnlessAnExporterIsConfigured() {
        assertFalse(ManagerTelemetry.fromEnvironment(Map.of()).enabled());
        try (ManagerTelemetry off = ManagerTelemetry.disabled();
             ManagerTelemetry.Traced s = off.span("caddy restart")) {
            s.attribute("k", "v").failed("nothing happens");
        }
        try (ManagerTelemetry on = ManagerTelemetry.fromEnvironment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://127.0.0.1:1"))) {
            assertTrue(on.enabled());
        }
    }
}
