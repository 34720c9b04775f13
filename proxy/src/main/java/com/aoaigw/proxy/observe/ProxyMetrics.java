package com.aoaigw.proxy.observe;

import java.time.Duration;
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
 * {@code aoaigw_request_latency_seconds} and {@code aoaigw_time_to_first_token_seconds} histograms with fixed buckets
 * (model, upstream). Only API calls are counted (not the admin area, probes or caddy-manager's reports). Meters are
 * cached per tag set so the hot path allocates nothing once warm.
 */
public final class ProxyMetrics {
    /**
     * The bucket bounds of both histograms, from 10 ms (a cached answer) to 15 min (the default request timeout);
     * the same everywhere, so buckets add up across replicas.
     */
    static final Duration[] BUCKETS = java.util.stream.DoubleStream.of(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                    10, 30, 60, 120, 300, 900)
            .mapToObj(s -> Duration.ofMillis(Math.round(s * 1000))).toArray(Duration[]::new);

    /** Longest label value; the values are config names, ids and error codes, all far shorter. */
    static final int MAX_LABEL = 128;

    private final MeterRegistry registry;
    private final Map<List<String>, Counter> requests = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> tokens = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> latency = new ConcurrentHashMap<>();
    private final Map<List<String>, Timer> ttft = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> failovers = new ConcurrentHashMap<>();
    private final Map<List<String>, Boolean> stateGauges = new ConcurrentHashMap<>();
    private final Map<List<String>, Counter> limited = new ConcurrentHashMap<>();

    /** @param registry the meter registry (Helidon's global one in production) */
    public ProxyMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * @param e         the finished exchange
     * @param latencyMs total latency
     */
    public void record(ExchangeLog e, long latencyMs) {
        if (!com.aoaigw.proxy.route.ClientApiPath.matches(e.path())) {
            return;
        }
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
        if (e.limited() != null) {
            limited.computeIfAbsent(List.of(key, model, e.limited()), t -> registry.getOrCreate(
                    Counter.builder("aoaigw_limited").description("Requests refused by a key's or a model's limit")
                            .tags(List.of(Tag.create("key_id", t.get(0)), Tag.create("model", t.get(1)),
                                    Tag.create("limit", t.get(2)))))).increment();
        }
        if (e.attempts() > 1) {
            recordFailovers(e);
        }
        addTokens(model, key, up, "prompt", e.usage().promptTokens());
        addTokens(model, key, up, "completion", e.usage().completionTokens());
        addTokens(model, key, up, "cached", e.usage().cachedTokens());
        if (e.model() != null) {
            latency.computeIfAbsent(List.of(model, up), t -> registry.getOrCreate(
                    histogram("aoaigw_request_latency", "Request latency", t)))
                    .record(latencyMs, TimeUnit.MILLISECONDS);
            if (e.ttftMs() >= 0) {
                ttft.computeIfAbsent(List.of(model, up), t -> registry.getOrCreate(
                        histogram("aoaigw_time_to_first_token", "Time to the first byte or event", t)))
                        .record(e.ttftMs(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * {@code aoaigw_failovers_total{model,from,to,reason}}: one per move of a request from one deployment to another
     * (retries on the same deployment are not failovers). Only configured names reach here: a request has attempts
     * only once its model was found in the config.
     */
    private void recordFailovers(ExchangeLog e) {
        List<ExchangeLog.Attempt> attempts = e.attemptList();
        for (int i = 0; i + 1 < attempts.size(); i++) {
            ExchangeLog.Attempt from = attempts.get(i);
            ExchangeLog.Attempt to = attempts.get(i + 1);
            String f = from.upstream() + "/" + from.deployment();
            String t = to.upstream() + "/" + to.deployment();
            if (f.equals(t)) {
                continue;
            }
            String reason = from.error() != null ? from.error() : "status_" + from.status();
            failovers.computeIfAbsent(List.of(from.model(), f, t, reason), k -> registry.getOrCreate(
                    Counter.builder("aoaigw_failovers").description("Requests moved from one deployment to another "
                                    + "before the first byte, by model, from, to and reason")
                            .tags(List.of(Tag.create("model", k.get(0)), Tag.create("from", k.get(1)),
                                    Tag.create("to", k.get(2)), Tag.create("reason", k.get(3)))))).increment();
        }
    }

    /**
     * Registers {@code aoaigw_deployment_state{model,upstream,deployment}} for every deployment of the config
     * (0 ok, 1 cooling after a 429, 2 circuit open, 3 half-open). Gauges of deployments removed from the config
     * stay (reading ok) until restart.
     *
     * @param config the config in effect
     * @param pools  the pool state
     */
    public void deploymentStates(com.aoaigw.config.GatewayConfig config, com.aoaigw.proxy.route.Pools pools) {
        for (com.aoaigw.config.ModelRoute m : config.models()) {
            for (com.aoaigw.config.ModelRoute.Deployment d : m.effectiveDeployments()) {
                List<String> k = List.of(m.id(), d.upstream(), d.deployment());
                if (stateGauges.putIfAbsent(k, Boolean.TRUE) != null) {
                    continue;
                }
                com.aoaigw.proxy.route.DeploymentId id = new com.aoaigw.proxy.route.DeploymentId(d.upstream(),
                        d.deployment());
                registry.getOrCreate(io.helidon.metrics.api.Gauge.builder("aoaigw_deployment_state",
                                () -> stateValue(pools.state().availability(id,
                                        com.aoaigw.config.CircuitBreakerSettings.DEFAULTS, pools.now()).health()))
                        .description("Deployment state: 0 ok, 1 cooling after a 429, 2 circuit open, 3 half-open")
                        .tags(List.of(Tag.create("model", k.get(0)), Tag.create("upstream", k.get(1)),
                                Tag.create("deployment", k.get(2)))));
            }
        }
    }

    private static Integer stateValue(com.aoaigw.proxy.route.PoolState.Health h) {
        return switch (h) {
            case OK -> 0;
            case COOLING -> 1;
            case OPEN -> 2;
            case HALF_OPEN, PROBING -> 3;
        };
    }

    /**
     * Registers {@code aoaigw_shared_state_up}: 1 while the limit counters are where they should be (always in local
     * mode; Redis reachable in redis mode), 0 during a Redis outage.
     *
     * @param up the state's health
     */
    public void sharedStateUp(java.util.function.BooleanSupplier up) {
        registry.getOrCreate(io.helidon.metrics.api.Gauge.builder("aoaigw_shared_state_up",
                () -> up.getAsBoolean() ? 1 : 0).description("1 while the shared state (limits) is reachable"));
    }

    private static Timer.Builder histogram(String name, String description, List<String> t) {
        // fixed buckets and no client-side percentiles: Prometheus exports a histogram (le buckets, _sum, _count)
        // that sums across replicas, instead of a summary whose quantiles cannot be aggregated
        return Timer.builder(name).description(description)
                .buckets(BUCKETS)
                .percentiles(new double[0])
                .tags(List.of(Tag.create("model", t.get(0)), Tag.create("upstream", t.get(1))));
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
