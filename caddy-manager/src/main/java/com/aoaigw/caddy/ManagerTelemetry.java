package com.aoaigw.caddy;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.azure.monitor.opentelemetry.autoconfigure.AzureMonitorAutoConfigure;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;

/**
 * caddy-manager's OpenTelemetry spans: one per config apply ({@code caddy apply}, with the etag and the outcome)
 * and one per Caddy restart ({@code caddy restart}). Configured like the proxy's: off unless
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} (or a signal-specific endpoint) or
 * {@code APPLICATIONINSIGHTS_CONNECTION_STRING} is set; every other {@code OTEL_*} variable is read by the SDK.
 */
final class ManagerTelemetry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ManagerTelemetry.class.getName());
    private final Tracer tracer;
    private final OpenTelemetrySdk sdk;

    private ManagerTelemetry(OpenTelemetry otel, OpenTelemetrySdk sdk) {
        this.tracer = otel == null ? null : otel.getTracer("aoai-gateway-caddy-manager");
        this.sdk = sdk;
    }

    static ManagerTelemetry disabled() {
        return new ManagerTelemetry(null, null);
    }

    static ManagerTelemetry of(OpenTelemetry otel) {
        return new ManagerTelemetry(otel, null);
    }

    static ManagerTelemetry fromEnvironment(Map<String, String> env) {
        boolean otlp = set(env, "OTEL_EXPORTER_OTLP_ENDPOINT") || set(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        boolean azure = set(env, "APPLICATIONINSIGHTS_CONNECTION_STRING");
        if ((!otlp && !azure) || "true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", ""))) {
            return disabled();
        }
        try {
            Map<String, String> props = new HashMap<>();
            props.put("otel.service.name", "aoai-gateway-caddy-manager");
            props.put("otel.exporter.otlp.protocol", "http/protobuf");
            env.forEach((k, v) -> {
                if (k.startsWith("OTEL_")) {
                    props.put(k.toLowerCase(Locale.ROOT).replace('_', '.'), v);
                }
            });
            props.put("otel.metrics.exporter", "none"); // spans only
            props.put("otel.logs.exporter", "none");
            if (!otlp) {
                props.put("otel.traces.exporter", "none");
            }
            AutoConfiguredOpenTelemetrySdkBuilder b = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> props);
            if (azure) {
                AzureMonitorAutoConfigure.customize(b, env.get("APPLICATIONINSIGHTS_CONNECTION_STRING"));
            }
            OpenTelemetrySdk sdk = b.build().getOpenTelemetrySdk();
            return new ManagerTelemetry(sdk, sdk);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "OpenTelemetry could not start; export stays off", e);
            return disabled();
        }
    }

    private static boolean set(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    boolean enabled() {
        return tracer != null;
    }

    /**
     * Starts a span; {@link Traced#close()} ends it.
     *
     * @param name the span name
     * @return the span (does nothing when telemetry is off)
     */
    Traced span(String name) {
        return new Traced(tracer == null ? null : tracer.spanBuilder(name).startSpan());
    }

    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
        }
    }

    /** A running span of caddy-manager. */
    static final class Traced implements AutoCloseable {
        private final Span span;

        Traced(Span span) {
            this.span = span;
        }

        Traced attribute(String key, String value) {
            if (span != null && value != null) {
                span.setAttribute(key, value);
            }
            return this;
        }

        void failed(String why) {
            if (span != null) {
                span.setStatus(StatusCode.ERROR, why == null ? "" : why.substring(0, Math.min(200, why.length())));
            }
        }

        @Override
        public void close() {
            if (span != null) {
                span.end();
            }
        }
    }
}
