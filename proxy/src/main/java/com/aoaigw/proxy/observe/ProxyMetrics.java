package com.aoaigw.proxy.observe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.MeterRegistry;
import io.helidon.metrics.api.Tag;
import io.helidon.metrics.api.Timer;

/**
 * Prometheus metrics through helidon-metrics: {@code aoaigw_requests_total} (tags model, key_id, upstream,
 * status, code), {@code aoaigw_tokens_total} (model, key_id, upstream, kind = prompt|completion|cached),
 * {@code aoaigw_request_latency_seconds} and {@code aoaigw_time_to_first_token_seconds} timers (model, upstream).
 * Meters are cached per tag set so the hot path allocates nothing once warm.
 */
public final class ProxyMetrics {
    /** Longest label value; the values are config names, ids and error codes, all far shorter. */
    static final int MAX_LABEL = 128;

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> tokens = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> latency = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> ttft = new ConcurrentHashMap<>();

    /** @param registry the meter registry (Helidon's global one in production) */
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param e         the finished exchange
     * @param latencyMs total latency
     */
    public void record(ExchangeLog e, long latencyMs) {
        String model = nz(e.model());
        String key = nz(e.keyId());
        String up = nz(e.upstream());
        String status = Integer.toString(e.status());
        String code = nz(e.errorCode());
        requests.computeIfAbsent(List.of(model, key, up, status, code), t -> registry.getOrCreate(
                Counter.builder("aoaigw_requests").description("Requests by model, key, upstream, status and code")
                        .tags(List.of(Tag.create("model", t.get(0)), Tag.create("key_id", t.get(1)),
                                Tag.create("upstream", t.get(2)), Tag.create("status", t.get(3)),
                                Tag.create("code", t.get(4)))))).increment();
        addTokens(model, key, up, "prompt", e.usage().promptTokens());
        addTokens(model, key, up, "completion", e.usage().completionTokens());
        addTokens(model, key, up, "cached", e.usage().cachedTokens());
        if (e.model() != null) {
            latency.computeIfAbsent(List.of(model, up), t -> registry.getOrCreate(
                    Timer.builder("aoaigw_request_latency").description("Request latency")
                            .tags(List.of(Tag.create("model", t.get(0)), Tag.create("upstream", t.get(1))))))
                    .record(latencyMs, TimeUnit.MILLISECONDS);
            if (e.ttftMs() >= 0) {
                ttft.computeIfAbsent(List.of(model, up), t -> registry.getOrCreate(
                        Timer.builder("aoaigw_time_to_first_token").description("Time to the first byte or event")
                                .tags(List.of(Tag.create("model", t.get(0)), Tag.create("upstream", t.get(1))))))
                        .record(e.ttftMs(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private void addTokens(String model, String key, String up, String kind, long n) {
        if (n <= 0) {
            return;
        }
        tokens.computeIfAbsent(List.of(model, key, up, kind), t -> registry.getOrCreate(
                Counter.builder("aoaigw_tokens").description("Tokens by model, key, upstream and kind")
                        .tags(List.of(Tag.create("model", t.get(0)), Tag.create("key_id", t.get(1)),
                                Tag.create("upstream", t.get(2)), Tag.create("kind", t.get(3)))))).increment(n);
    }

    /**
     * A label value: empty for null, at most {@value #MAX_LABEL} characters, control characters (CR, LF, ESC, ...)
     * replaced, so no value can break the exposition format or a terminal that shows it.
     */
    static String nz(String s) {
        if (s == null) {
            return "";
        }
        String v = s.length() > MAX_LABEL ? s.substring(0, MAX_LABEL) : s;
        for (int i = 0; i < v.length(); i++) {
            if (Character.isISOControl(v.charAt(i))) {
                StringBuilder b = new StringBuilder(v.length());
                v.chars().forEach(c -> b.append(Character.isISOControl(c) ? '_' : (char) c));
                return b.toString();
            }
        }
        return v;
    }
}
