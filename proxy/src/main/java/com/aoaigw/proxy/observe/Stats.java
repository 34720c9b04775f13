package com.aoaigw.proxy.observe;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * In-memory request statistics per model, per client key and per upstream, over the last minute, 5 minutes, hour
 * and since start. Lock-free: each series keeps a ring of 60 one-minute buckets (replaced by CAS when a new minute
 * starts) plus a since-start bucket; counters are {@link LongAdder}s and latencies go into fixed-bucket
 * histograms, from which percentiles are estimated (upper bound of the bucket holding the percentile).
 */
public final class Stats {
    /** Histogram bucket upper bounds in ms; the last bucket is unbounded. */
    static final long[] BOUNDS_MS = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000,
            300000, 900000};

    /** What a series is keyed by. */
    public enum Dimension {
        /** public model id. */
        MODEL,
        /** client key id. */
        KEY,
        /** upstream name. */
        UPSTREAM
    }

    /** A time window. */
    public enum Window {
        /** the current minute bucket (up to the last 60 s). */
        LAST_1_MIN(1),
        /** the last 5 minute buckets. */
        LAST_5_MIN(5),
        /** the last 60 minute buckets. */
        LAST_1_HOUR(60),
        /** since the process started. */
        SINCE_START(0);

        private final int minutes;

        Window(int minutes) {
            this.minutes = minutes;
        }
    }

    private final Map<Dimension, Map<String, Series>> series = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;

    /** Stats on the system clock. */
    public Stats() {
        this(System::currentTimeMillis);
    }

    /** @param clockMillis the clock (tests) */
    public Stats(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        for (Dimension d : Dimension.values()) {
            series.put(d, new ConcurrentHashMap<>());
        }
    }

    /**
     * Records one finished request.
     *
     * @param e         the exchange
     * @param latencyMs total latency
     */
    public void record(ExchangeLog e, long latencyMs) {
        long minute = clockMillis.getAsLong() / 60000;
        if (e.model() != null) {
            seriesOf(Dimension.MODEL, e.model()).record(minute, e, latencyMs);
        }
        if (e.keyId() != null) {
            seriesOf(Dimension.KEY, e.keyId()).record(minute, e, latencyMs);
        }
        if (e.upstream() != null) {
            seriesOf(Dimension.UPSTREAM, e.upstream()).record(minute, e, latencyMs);
        }
    }

    private Series seriesOf(Dimension d, String name) {
        return series.get(d).computeIfAbsent(name, n -> new Series());
    }

    /**
     * @param dimension by what
     * @param window    over which time
     * @return one row per model/key/upstream seen, sorted by name
     */
    public List<StatsRow> snapshot(Dimension dimension, Window window) {
        long minute = clockMillis.getAsLong() / 60000;
        List<StatsRow> rows = new ArrayList<>();
        for (Map.Entry<String, Series> s : series.get(dimension).entrySet()) {
            rows.add(s.getValue().row(s.getKey(), minute, window));
        }
        rows.sort(Comparator.comparing(StatsRow::name));
        return rows;
    }

    /**
     * Aggregated counters of one series over one window.
     *
     * @param name             model id, key id or upstream name
     * @param requests         requests
     * @param errors           requests with an error code (status >= 400 or a stream error)
     * @param errorsByCode     error count per code
     * @param promptTokens     prompt tokens
     * @param completionTokens completion tokens
     * @param cachedTokens     cached prompt tokens
     * @param latencyMs        latency percentiles
     * @param ttftMs           time-to-first-token percentiles (streams and non-streams: first byte to the client)
     */
    public record StatsRow(String name, long requests, long errors, Map<String, Long> errorsByCode,
                           long promptTokens, long completionTokens, long cachedTokens,
                           Percentiles latencyMs, Percentiles ttftMs) {
    }

    /**
     * Percentile estimates in ms (bucket upper bounds); -1 when there is no data.
     *
     * @param count samples
     * @param p50   median
     * @param p90   90th percentile
     * @param p99   99th percentile
     */
    public record Percentiles(long count, long p50, long p90, long p99) {
    }

    private static final class Series {
        private final AtomicReferenceArray<Bucket> ring = new AtomicReferenceArray<>(60);
        private final Bucket total = new Bucket(-1);

        void record(long minute, ExchangeLog e, long latencyMs) {
            int i = (int) (minute % 60);
            Bucket b = ring.get(i);
            while (b == null || b.minute != minute) {
                Bucket fresh = new Bucket(minute);
                if (ring.compareAndSet(i, b, fresh)) {
                    b = fresh;
                    break;
                }
                b = ring.get(i);
            }
            b.add(e, latencyMs);
            total.add(e, latencyMs);
        }

        StatsRow row(String name, long minute, Window w) {
            List<Bucket> parts = new ArrayList<>();
            if (w == Window.SINCE_START) {
                parts.add(total);
            } else {
                for (int k = 0; k < w.minutes; k++) {
                    long m = minute - k;
                    Bucket b = ring.get((int) (Math.floorMod(m, 60L)));
                    if (b != null && b.minute == m) {
                        parts.add(b);
                    }
                }
            }
            long req = 0;
            long err = 0;
            long pt = 0;
            long ct = 0;
            long cached = 0;
            Map<String, Long> codes = new TreeMap<>();
            long[] lat = new long[BOUNDS_MS.length + 1];
            long[] ttft = new long[BOUNDS_MS.length + 1];
            for (Bucket b : parts) {
                req += b.requests.sum();
                err += b.errors.sum();
                pt += b.prompt.sum();
                ct += b.completion.sum();
                cached += b.cached.sum();
                b.errorCodes.forEach((k, v) -> codes.merge(k, v.sum(), Long::sum));
                for (int k = 0; k < lat.length; k++) {
                    lat[k] += b.latency.get(k);
                    ttft[k] += b.ttft.get(k);
                }
            }
            return new StatsRow(name, req, err, Map.copyOf(codes), pt, ct, cached, percentiles(lat), percentiles(ttft));
        }
    }

    static Percentiles percentiles(long[] histogram) {
        long n = 0;
        for (long c : histogram) {
            n += c;
        }
        if (n == 0) {
            return new Percentiles(0, -1, -1, -1);
        }
        return new Percentiles(n, at(histogram, n, 0.50), at(histogram, n, 0.90), at(histogram, n, 0.99));
    }

    private static long at(long[] histogram, long n, double q) {
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int i = 0; i < histogram.length; i++) {
            seen += histogram[i];
            if (seen >= rank) {
                return i < BOUNDS_MS.length ? BOUNDS_MS[i] : Long.MAX_VALUE;
            }
        }
        return Long.MAX_VALUE;
    }

    static int bucketOf(long ms) {
        for (int i = 0; i < BOUNDS_MS.length; i++) {
            if (ms <= BOUNDS_MS[i]) {
                return i;
            }
        }
        return BOUNDS_MS.length;
    }

    private static final class Bucket {
        final long minute;
        final LongAdder requests = new LongAdder();
        final LongAdder errors = new LongAdder();
        final LongAdder prompt = new LongAdder();
        final LongAdder completion = new LongAdder();
        final LongAdder cached = new LongAdder();
        final Map<String, LongAdder> errorCodes = new ConcurrentHashMap<>();
        final AtomicLongArray latency = new AtomicLongArray(BOUNDS_MS.length + 1);
        final AtomicLongArray ttft = new AtomicLongArray(BOUNDS_MS.length + 1);

        Bucket(long minute) {
            this.minute = minute;
        }

        void add(ExchangeLog e, long latencyMs) {
            requests.increment();
            if (e.errorCode() != null) {
                errors.increment();
                errorCodes.computeIfAbsent(e.errorCode(), k -> new LongAdder()).increment();
            }
            prompt.add(e.usage().promptTokens());
            completion.add(e.usage().completionTokens());
            cached.add(e.usage().cachedTokens());
            latency.incrementAndGet(bucketOf(latencyMs));
            if (e.ttftMs() >= 0) {
                ttft.incrementAndGet(bucketOf(e.ttftMs()));
            }
        }
    }
}
