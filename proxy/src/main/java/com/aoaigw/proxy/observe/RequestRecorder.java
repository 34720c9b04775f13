package com.aoaigw.proxy.observe;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * Records each finished request once: access log line, metrics, and any extra listener (the admin usage stats
 * subscribe with {@link #subscribe}).
 */
public final class RequestRecorder {
    private static final System.Logger LOG = System.getLogger(RequestRecorder.class.getName());

    private final AccessLog accessLog;
    private final ProxyMetrics metrics;
    private final Telemetry telemetry;
    private final List<BiConsumer<ExchangeLog, Long>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param accessLog access log
     * @param metrics   metrics
     */
    public RequestRecorder(AccessLog accessLog, ProxyMetrics metrics) {
        this(accessLog, metrics, Telemetry.disabled());
    }

    /**
     * @param accessLog access log
     * @param metrics   metrics
     * @param telemetry OpenTelemetry spans and metrics (disabled unless configured)
     */
    public RequestRecorder(AccessLog accessLog, ProxyMetrics metrics, Telemetry telemetry) {
        this.accessLog = accessLog;
        this.metrics = metrics;
        this.telemetry = telemetry;
    }

    /** @return the OpenTelemetry side of the recording */
    public Telemetry telemetry() {
        return telemetry;
    }

    /**
     * @param listener called with each finished exchange and its latency in ms
     */
    public void subscribe(BiConsumer<ExchangeLog, Long> listener) {
        listeners.add(listener);
    }

    /**
     * @param e the finished exchange
     */
    public void record(ExchangeLog e) {
        long end = System.nanoTime();
        long latencyMs = (end - e.startNanos()) / 1_000_000;
        try {
            telemetry.finish(e.trace(), e, end);
            accessLog.write(e, latencyMs);
            metrics.record(e, latencyMs);
            for (BiConsumer<ExchangeLog, Long> l : listeners) {
                l.accept(e, latencyMs);
            }
        } catch (RuntimeException ex) {
            LOG.log(System.Logger.Level.WARNING, "recording a request failed", ex);
        }
    }
}
