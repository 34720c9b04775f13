package com.aoaigw.proxy.observe;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.aoaigw.proxy.translate.Usage;
import com.azure.monitor.opentelemetry.autoconfigure.AzureMonitorAutoConfigure;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongHistogram;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdkBuilder;

/**
 * OpenTelemetry traces and metrics with the GenAI semantic conventions. Off unless an exporter is configured by the
 * standard environment ({@code OTEL_EXPORTER_OTLP_ENDPOINT} / {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}, or
 * {@code APPLICATIONINSIGHTS_CONNECTION_STRING} for Azure Monitor); when off, a request costs one header read (the
 * client's {@code traceparent} is still passed on to Azure so Azure-side correlation works) and nothing else.
 *
 * <p>When on: the request filter starts one server span per request (continuing the client's W3C
 * {@code traceparent}/{@code tracestate}); the proxy sends that span's context on to Azure; when the request ends
 * the span gets the GenAI attributes from its {@link ExchangeLog}, and the phases the log timed (auth and
 * admission, routing, credential, each upstream attempt) become child spans with their real start and end times.
 * Stream first byte and end of stream are events. Never a prompt, completion, key or token: only ids, names,
 * counts and codes.
 */
public final class Telemetry implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Telemetry.class.getName());
    private static final String DEFAULT_SERVICE = "aoai-gateway-proxy";
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    private static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    private static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
    private static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    private static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    private static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    private static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    private static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    private static final AttributeKey<List<String>> FINISH = AttributeKey.stringArrayKey(
            "gen_ai.response.finish_reasons");
    private static final AttributeKey<String> TOKEN_TYPE = AttributeKey.stringKey("gen_ai.token.type");
    private static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("aoaigw.key_id");
    private static final AttributeKey<String> DEPLOYMENT = AttributeKey.stringKey("aoaigw.deployment");
    private static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("aoaigw.upstream");
    private static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("aoaigw.request_id");
    private static final AttributeKey<Boolean> STREAM = AttributeKey.booleanKey("aoaigw.stream");
    private static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    private static final TextMapGetter<Function<String, String>> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, String> carrier) {
            return List.of("traceparent", "tracestate");
        }

        @Override
        public String get(Function<String, String> carrier, String key) {
            return carrier == null ? null : carrier.apply(key);
        }
    };

    private final OpenTelemetry otel;
    private final OpenTelemetrySdk sdk;
    private final Tracer tracer;
    private final DoubleHistogram duration;
    private final LongHistogram tokens;
    private final DoubleHistogram timeToFirstToken;
    /** {@code epoch nanos = nanoTime + offset}, fixed at start so every span of a request shares one clock */
    private final long epochOffsetNanos;

    private Telemetry(OpenTelemetry otel, OpenTelemetrySdk sdk) {
        this.otel = otel;
        this.sdk = sdk;
        this.epochOffsetNanos = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();
        if (otel == null) {
            tracer = null;
            duration = null;
            tokens = null;
            timeToFirstToken = null;
            return;
        }
        tracer = otel.getTracer("aoai-gateway");
        Meter meter = otel.getMeter("aoai-gateway");
        duration = meter.histogramBuilder("gen_ai.client.operation.duration").setUnit("s")
                .setDescription("GenAI operation duration, client request to last byte")
                .setExplicitBucketBoundariesAdvice(List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12,
                        10.24, 20.48, 40.96, 81.92))
                .build();
        tokens = meter.histogramBuilder("gen_ai.client.token.usage").ofLongs().setUnit("{token}")
                .setDescription("Tokens used per request, by gen_ai.token.type (input, output)")
                .setExplicitBucketBoundariesAdvice(List.of(1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L,
                        262144L, 1048576L, 4194304L, 16777216L, 67108864L))
                .build();
        timeToFirstToken = meter.histogramBuilder("gen_ai.server.time_to_first_token").setUnit("s")
                .setDescription("Time from the request to the first byte of the answer (first event of a stream)")
                .setExplicitBucketBoundariesAdvice(List.of(0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5,
                        0.75, 1.0, 2.5, 5.0, 7.5, 10.0))
                .build();
    }

    /** @return telemetry that records nothing */
    public static Telemetry disabled() {
        return new Telemetry(null, null);
    }

    /**
     * Telemetry for an already built OpenTelemetry (tests use an in-memory exporter).
     *
     * @param otel the OpenTelemetry
     * @return telemetry recording to it
     */
    public static Telemetry of(OpenTelemetry otel) {
        return new Telemetry(otel, otel instanceof OpenTelemetrySdk s ? s : null);
    }

    /**
     * Reads the standard OpenTelemetry environment: on when an OTLP endpoint or an Application Insights connection
     * string is set (and {@code OTEL_SDK_DISABLED} is not true). Every other {@code OTEL_*} variable
     * ({@code OTEL_EXPORTER_OTLP_PROTOCOL}, {@code OTEL_SERVICE_NAME}, {@code OTEL_TRACES_SAMPLER}/{@code _ARG},
     * {@code OTEL_RESOURCE_ATTRIBUTES}, ...) is read by the SDK's own autoconfiguration.
     *
     * @param env the environment
     * @return the telemetry; disabled when nothing is configured or the SDK cannot start (logged once)
     */
    public static Telemetry fromEnvironment(Map<String, String> env) {
        boolean otlp = present(env, "OTEL_EXPORTER_OTLP_ENDPOINT") || present(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
                || present(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
        String insights = env.get("APPLICATIONINSIGHTS_CONNECTION_STRING");
        boolean azure = insights != null && !insights.isBlank();
        if ((!otlp && !azure) || "true".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", ""))) {
            return disabled();
        }
        try {
            Map<String, String> defaults = new HashMap<>();
            defaults.put("otel.service.name", DEFAULT_SERVICE);
            defaults.put("otel.exporter.otlp.protocol", "http/protobuf"); // the specification's default (port 4318)
            // the given environment as properties (the SDK reads the process environment itself too, and it wins)
            env.forEach((k, v) -> {
                if (k.startsWith("OTEL_")) {
                    defaults.put(k.toLowerCase(java.util.Locale.ROOT).replace('_', '.'), v);
                }
            });
            // the proxy's logs go to stdout, not through OpenTelemetry
            defaults.putIfAbsent("otel.logs.exporter", "none");
            if (!otlp) {
                defaults.put("otel.traces.exporter", "none"); // Azure Monitor adds its own exporters
                defaults.put("otel.metrics.exporter", "none");
            }
            AutoConfiguredOpenTelemetrySdkBuilder b = AutoConfiguredOpenTelemetrySdk.builder()
                    .addPropertiesSupplier(() -> defaults);
            if (azure) {
                AzureMonitorAutoConfigure.customize(b, insights);
            }
            OpenTelemetrySdk sdk = b.build().getOpenTelemetrySdk();
            LOG.log(System.Logger.Level.INFO, "OpenTelemetry export on ({0})",
                    (otlp ? "OTLP" : "") + (otlp && azure ? " + " : "") + (azure ? "Azure Monitor" : ""));
            return new Telemetry(sdk, sdk);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "OpenTelemetry could not start; export stays off", e);
            return disabled();
        }
    }

    private static boolean present(Map<String, String> env, String name) {
        String v = env.get(name);
        return v != null && !v.isBlank();
    }

    /** @return true when spans and metrics are exported */
    public boolean enabled() {
        return tracer != null;
    }

    /**
     * Starts the server span of a request.
     *
     * @param method     the HTTP method
     * @param path       the request path (no query)
     * @param startNanos {@link System#nanoTime()} when the request arrived
     * @param header     the request's headers by lower-case name
     * @return the span (a pass-through of the client's trace context when telemetry is off)
     */
    public ServerSpan start(String method, String path, long startNanos, Function<String, String> header) {
        String clientParent = header.apply("traceparent");
        String clientState = header.apply("tracestate");
        if (!enabled()) {
            if (!validTraceparent(clientParent)) {
                return ServerSpan.NONE;
            }
            return new ServerSpan(null, clientParent, validTracestate(clientState) ? clientState : null,
                    clientParent.substring(3, 35));
        }
        Context parent = W3CTraceContextPropagator.getInstance().extract(Context.root(), header, HEADERS);
        Span span = tracer.spanBuilder(method + " " + path).setParent(parent).setSpanKind(SpanKind.SERVER)
                .setAttribute(METHOD, method).setAttribute(URL_PATH, path).setAttribute(ROUTE, path)
                .setStartTimestamp(epoch(startNanos), TimeUnit.NANOSECONDS)
                .startSpan();
        Map<String, String> out = new HashMap<>(4);
        W3CTraceContextPropagator.getInstance().inject(Context.root().with(span), out, Map::put);
        return new ServerSpan(span, out.get("traceparent"), out.get("tracestate"), span.getSpanContext().getTraceId());
    }

    /**
     * Ends a request's server span with what its log says, and records the GenAI metrics.
     *
     * @param span      the span from {@link #start}
     * @param log       the finished exchange
     * @param endNanos  {@link System#nanoTime()} at the end
     */
    public void finish(ServerSpan span, ExchangeLog log, long endNanos) {
        if (!enabled()) {
            return;
        }
        try {
            Attributes genAi = genAiAttributes(log);
            if (span.span() != null) {
                finishSpan(span.span(), log, genAi, endNanos);
            }
            if (log.model() != null && log.route() != null) {
                double seconds = (endNanos - log.startNanos()) / 1e9;
                AttributesBuilder mb = genAi.toBuilder();
                if (log.status() >= 400) {
                    mb.put(ERROR_TYPE, log.errorCode() != null ? log.errorCode() : Integer.toString(log.status()));
                }
                Attributes metricAttrs = mb.build();
                duration.record(seconds, metricAttrs);
                Usage u = log.usage();
                if (u.promptTokens() > 0 || u.completionTokens() > 0) {
                    tokens.record(u.promptTokens(), genAi.toBuilder().put(TOKEN_TYPE, "input").build());
                    tokens.record(u.completionTokens(), genAi.toBuilder().put(TOKEN_TYPE, "output").build());
                }
                if (log.ttftMs() >= 0 && log.status() < 400) {
                    timeToFirstToken.record(log.ttftMs() / 1e3, genAi);
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recording telemetry failed", e);
        }
    }

    private void finishSpan(Span span, ExchangeLog log, Attributes genAi, long endNanos) {
        span.setAllAttributes(genAi);
        span.setAttribute(REQUEST_ID, log.requestId());
        span.setAttribute(STATUS, (long) log.status());
        if (log.keyId() != null) {
            span.setAttribute(KEY_ID, log.keyId());
        }
        if (log.deployment() != null) {
            span.setAttribute(DEPLOYMENT, log.deployment());
        }
        if (log.upstream() != null) {
            span.setAttribute(UPSTREAM, log.upstream());
        }
        if (log.route() != null) {
            span.setAttribute(STREAM, log.stream());
        }
        Usage u = log.usage();
        if (u.promptTokens() > 0 || u.completionTokens() > 0) {
            span.setAttribute(INPUT_TOKENS, u.promptTokens());
            span.setAttribute(OUTPUT_TOKENS, u.completionTokens());
        }
        ExchangeLog.GenAiDetails d = log.genAi();
        if (d != null) {
            if (d.responseModel() != null) {
                span.setAttribute(RESPONSE_MODEL, d.responseModel());
            }
            if (d.maxTokens() > 0) {
                span.setAttribute(MAX_TOKENS, d.maxTokens());
            }
            if (!d.finishReasons().isEmpty()) {
                span.setAttribute(FINISH, List.copyOf(d.finishReasons()));
            }
        }
        if (log.status() >= 500 || (log.status() >= 400 && log.errorCode() != null && log.status() != 404)) {
            span.setAttribute(ERROR_TYPE, log.errorCode() != null ? log.errorCode() : Integer.toString(log.status()));
        }
        if (log.status() >= 500) {
            span.setStatus(StatusCode.ERROR);
        }
        Context parent = Context.root().with(span);
        for (ExchangeLog.Phase p : log.phases()) {
            var b = tracer.spanBuilder(p.name()).setParent(parent)
                    .setSpanKind(p.client() ? SpanKind.CLIENT : SpanKind.INTERNAL)
                    .setStartTimestamp(epoch(p.startNanos()), TimeUnit.NANOSECONDS);
            p.attributes().forEach((k, v) -> {
                if (v instanceof Long l) {
                    b.setAttribute(AttributeKey.longKey(k), l);
                } else if (v instanceof Integer i) {
                    b.setAttribute(AttributeKey.longKey(k), (long) i);
                } else if (v instanceof Boolean bo) {
                    b.setAttribute(AttributeKey.booleanKey(k), bo);
                } else if (v != null) {
                    b.setAttribute(AttributeKey.stringKey(k), v.toString());
                }
            });
            Span child = b.startSpan();
            if (p.error()) {
                child.setStatus(StatusCode.ERROR);
            }
            child.end(epoch(p.endNanos()), TimeUnit.NANOSECONDS);
        }
        if (log.stream() && log.ttftMs() >= 0) {
            span.addEvent("gen_ai.first_byte", epoch(log.startNanos()) + TimeUnit.MILLISECONDS.toNanos(log.ttftMs()),
                    TimeUnit.NANOSECONDS);
            span.addEvent("gen_ai.end_of_stream", epoch(endNanos), TimeUnit.NANOSECONDS);
        }
        span.end(epoch(endNanos), TimeUnit.NANOSECONDS);
    }

    private static Attributes genAiAttributes(ExchangeLog log) {
        AttributesBuilder b = Attributes.builder();
        String op = operation(log.route());
        if (op != null) {
            b.put(OPERATION, op);
            b.put(PROVIDER, "azure.ai.openai");
            b.put(SYSTEM, "az.ai.openai");
        }
        if (log.model() != null) {
            b.put(REQUEST_MODEL, log.model());
        }
        return b.build();
    }

    /** GenAI operation name for a route key. */
    static String operation(String route) {
        if (route == null) {
            return null;
        }
        return switch (route) {
            case "chat/completions", "responses" -> "chat";
            case "embeddings" -> "embeddings";
            case "images/generations" -> "generate_content";
            default -> route;
        };
    }

    private long epoch(long nanoTime) {
        return nanoTime + epochOffsetNanos;
    }

    /**
     * @param v a header value
     * @return true for a W3C traceparent of version 00 with non-zero ids
     */
    static boolean validTraceparent(String v) {
        if (v == null || v.length() != 55 || !v.startsWith("00-") || v.charAt(35) != '-' || v.charAt(52) != '-') {
            return false;
        }
        for (int i = 3; i < 55; i++) {
            char c = v.charAt(i);
            if (i == 35 || i == 52) {
                continue;
            }
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return !v.substring(3, 35).equals("0".repeat(32)) && !v.substring(36, 52).equals("0".repeat(16));
    }

    static boolean validTracestate(String v) {
        if (v == null || v.isEmpty() || v.length() > 512) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        if (sdk != null) {
            sdk.shutdown().join(5, TimeUnit.SECONDS);
        }
    }

    /**
     * The server span of one request and the trace context the proxy sends on to Azure.
     *
     * @param span        the live span, or null when telemetry is off
     * @param traceparent the {@code traceparent} to send to Azure, or null
     * @param tracestate  the {@code tracestate} to send to Azure, or null
     * @param traceId     the trace id for the access log, or null
     */
    public record ServerSpan(Span span, String traceparent, String tracestate, String traceId) {
        /** No trace at all. */
        public static final ServerSpan NONE = new ServerSpan(null, null, null, null);
    }
}
