package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import com.aoaigw.proxy.usage.Dims;
import com.aoaigw.proxy.usage.Histogram;
import com.aoaigw.proxy.usage.Resolution;
import com.aoaigw.proxy.usage.UsageCell;
import com.aoaigw.proxy.usage.UsageReader;
import com.aoaigw.proxy.usage.UsageReport;

/**
 * Windowed request statistics for the admin page: per model, per key and per upstream (requests, errors by code,
 * tokens with cached, latency and TTFT percentiles), over the last minute, 5 minutes, hour or since start, plus a
 * per-minute series for the last hour. Fed one {@link RequestRecord} per finished request; memory is bounded (60
 * minute buckets and bounded latency samples). With a usage {@link #history history} attached, the windows 24h, 7d,
 * 30d and all are answered from it (all = the whole kept history), surviving restarts and, with Redis, for the fleet.
 */
public final class UsageStats implements Consumer<RequestRecord> {
    private static final int MINUTES = 60;
    private static final int SAMPLES_PER_BUCKET = 256;
    private static final int SAMPLES_ALL = 2048;

    private final Clock clock;
    private final Instant startedAt;
    private final Minute[] minutes = new Minute[MINUTES];
    private final Dimensions all = new Dimensions(SAMPLES_ALL);
    private volatile UsageReader history;

    /**
     * @param clock time source
     */
    public UsageStats(Clock clock) {
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /**
     * Answers the long windows (24h, 7d, 30d, all) from the usage history from now on.
     *
     * @param history the usage history
     */
    public void history(UsageReader history) {
        this.history = history;
    }

    /** @return when counting started */
    public Instant startedAt() {
        return startedAt;
    }

    @Override
    public synchronized void accept(RequestRecord r) {
        long minute = r.at().getEpochSecond() / 60;
        int slot = (int) Math.floorMod(minute, MINUTES);
        Minute m = minutes[slot];
        if (m == null || m.minute != minute) {
            m = new Minute(minute);
            minutes[slot] = m;
        }
        m.dims.add(r);
        all.add(r);
    }

    /** The windows the admin API offers. */
    public enum Window {
        /** The last minute. */
        M1(Duration.ofMinutes(1)),
        /** The last 5 minutes. */
        M5(Duration.ofMinutes(5)),
        /** The last hour. */
        H1(Duration.ofHours(1)),
        /** The last 24 hours (from the usage history; per-minute counting since start without one). */
        H24(Duration.ofHours(24)),
        /** The last 7 days (from the usage history). */
        D7(Duration.ofDays(7)),
        /** The last 30 days (from the usage history). */
        D30(Duration.ofDays(30)),
        /** Since start. */
        ALL(null);

        private final Duration length;

        Window(Duration length) {
            this.length = length;
        }

        /**
         * @param s {@code 1m}, {@code 5m}, {@code 1h}, {@code 24h}, {@code 7d}, {@code 30d} or {@code all}
         * @return the window, or null when unknown
         */
        public static Window parse(String s) {
            return switch (s == null ? "5m" : s) {
                case "1m" -> M1;
                case "5m" -> M5;
                case "1h" -> H1;
                case "24h" -> H24;
                case "7d" -> D7;
                case "30d" -> D30;
                case "all" -> ALL;
                default -> null;
            };
        }
    }

    /**
     * Aggregates of one group.
     *
     * @param requests         requests
     * @param errors           requests answered with a status of 400 or more
     * @param errorsByCode     errors by status or error code
     * @param promptTokens     prompt tokens
     * @param completionTokens completion tokens
     * @param cachedTokens     cached prompt tokens
     * @param totalTokens      prompt plus completion
     * @param latencyMs        latency p50/p95/p99
     * @param ttftMs           time to first byte p50/p95/p99
     */
    public record Summary(long requests, long errors, Map<String, Long> errorsByCode, long promptTokens,
                          long completionTokens, long cachedTokens, long totalTokens, Percentiles latencyMs,
                          Percentiles ttftMs) {
    }

    /**
     * Percentiles in milliseconds (0 when no samples).
     *
     * @param p50 median
     * @param p95 95th percentile
     * @param p99 99th percentile
     */
    public record Percentiles(long p50, long p95, long p99) {
    }

    /**
     * One minute of the series.
     *
     * @param t            the minute's start
     * @param requests     requests
     * @param errors       errors
     * @param tokens       total tokens
     * @param latencyP95Ms latency p95
     */
    public record Point(Instant t, long requests, long errors, long tokens, long latencyP95Ms) {
    }

    /**
     * Everything for one window.
     *
     * @param window     the window name
     * @param from       its start
     * @param totals     all requests
     * @param byModel    per model id
     * @param byKey      per key id
     * @param byUpstream per upstream
     * @param series     per-minute points over the last hour, oldest first
     */
    public record Report(String window, Instant from, Summary totals, Map<String, Summary> byModel,
                         Map<String, Summary> byKey, Map<String, Summary> byUpstream, List<Point> series) {
    }

    /**
     * @param window the window
     * @return the report
     */
    public Report report(Window window) {
        UsageReader h = history;
        if (h != null && (window == Window.H24 || window == Window.D7 || window == Window.D30
                || window == Window.ALL)) {
            return fromHistory(h, window);
        }
        return recent(window);
    }

    private synchronized Report recent(Window window) {
        Instant now = clock.instant();
        long nowMinute = now.getEpochSecond() / 60;
        Dimensions d;
        Instant from;
        if (window == Window.ALL || window.length.toMinutes() > MINUTES) {
            d = all;
            from = startedAt;
        } else {
            int span = (int) window.length.toMinutes();
            d = new Dimensions(SAMPLES_ALL);
            for (int i = 0; i < span; i++) {
                Minute m = minutes[(int) Math.floorMod(nowMinute - i, MINUTES)];
                if (m != null && m.minute == nowMinute - i) {
                    d.merge(m.dims);
                }
            }
            from = Instant.ofEpochSecond((nowMinute - span + 1) * 60);
        }
        List<Point> series = new ArrayList<>(MINUTES);
        for (int i = MINUTES - 1; i >= 0; i--) {
            long minute = nowMinute - i;
            Minute m = minutes[(int) Math.floorMod(minute, MINUTES)];
            Agg t = m != null && m.minute == minute ? m.dims.totals : new Agg(1);
            series.add(new Point(Instant.ofEpochSecond(minute * 60), t.requests, t.errors,
                    t.prompt + t.completion, t.latency.percentile(95)));
        }
        return new Report(name(window), from, d.totals.summary(),
                summaries(d.byModel), summaries(d.byKey), summaries(d.byUpstream), series);
    }

    private static String name(Window w) {
        return switch (w) {
            case M1 -> "1m";
            case M5 -> "5m";
            case H1 -> "1h";
            case H24 -> "24h";
            case D7 -> "7d";
            case D30 -> "30d";
            case ALL -> "all";
        };
    }

    /**
     * A long window from the usage history: the same shape, the series one point per hour (24h, 7d) or day (30d,
     * all), percentiles read from the history's histograms.
     */
    private static Report fromHistory(UsageReader h, Window window) {
        long now = h.now();
        Resolution step = window == Window.H24 || window == Window.D7 ? Resolution.HOUR : Resolution.DAY;
        long end = step.align(now) + step.stepMillis();
        long from = window == Window.ALL ? Resolution.DAY.oldestKept(now)
                : Math.max(Resolution.DAY.oldestKept(now), end - window.length.toMillis());
        UsageReport byModel = h.query(from, end, step, Dims.Dimension.MODEL);
        UsageReport byKey = h.query(from, end, step, Dims.Dimension.KEY);
        UsageReport byUpstream = h.query(from, end, step, Dims.Dimension.UPSTREAM);
        List<Point> series = new ArrayList<>();
        java.util.Iterator<UsageReport.Bucket> it = byModel.buckets().iterator();
        UsageReport.Bucket next = it.hasNext() ? it.next() : null;
        for (long t = byModel.fromMillis(); t < end; t += step.stepMillis()) {
            UsageCell c = new UsageCell();
            if (next != null && next.t() == t) {
                next.groups().values().forEach(c::merge);
                next = it.hasNext() ? it.next() : null;
            }
            Double p95 = c.latency().percentile(95);
            series.add(new Point(Instant.ofEpochMilli(t), c.requests(), c.errors(),
                    c.promptTokens() + c.completionTokens(), p95 == null ? 0 : Math.round(p95)));
        }
        return new Report(name(window), Instant.ofEpochMilli(byModel.fromMillis()), summary(byModel.total()),
                summaries(byModel), summaries(byKey), summaries(byUpstream), series);
    }

    private static Map<String, Summary> summaries(UsageReport r) {
        Map<String, Summary> out = new TreeMap<>();
        r.groups().forEach((k, v) -> out.put(k, summary(v)));
        return out;
    }

    private static Summary summary(UsageCell c) {
        return new Summary(c.requests(), c.errors(), Map.copyOf(c.errorsByCode()), c.promptTokens(),
                c.completionTokens(), c.cachedTokens(), c.promptTokens() + c.completionTokens(),
                percentiles(c.latency()), percentiles(c.ttft()));
    }

    private static Percentiles percentiles(Histogram h) {
        return new Percentiles(round(h.percentile(50)), round(h.percentile(95)), round(h.percentile(99)));
    }

    private static long round(Double v) {
        return v == null ? 0 : Math.round(v);
    }

    private static Map<String, Summary> summaries(Map<String, Agg> m) {
        Map<String, Summary> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.summary()));
        return out;
    }

    private static final class Minute {
        private final long minute;
        private final Dimensions dims = new Dimensions(SAMPLES_PER_BUCKET);

        Minute(long minute) {
            this.minute = minute;
        }
    }

    private static final class Dimensions {
        private final int samples;
        private final Agg totals;
        private final Map<String, Agg> byModel = new TreeMap<>();
        private final Map<String, Agg> byKey = new TreeMap<>();
        private final Map<String, Agg> byUpstream = new TreeMap<>();

        Dimensions(int samples) {
            this.samples = samples;
            this.totals = new Agg(samples);
        }

        void add(RequestRecord r) {
            totals.add(r);
            byModel.computeIfAbsent(r.model(), k -> new Agg(samples)).add(r);
            byKey.computeIfAbsent(r.keyId(), k -> new Agg(samples)).add(r);
            byUpstream.computeIfAbsent(r.upstream(), k -> new Agg(samples)).add(r);
        }

        void merge(Dimensions o) {
            totals.merge(o.totals);
            o.byModel.forEach((k, v) -> byModel.computeIfAbsent(k, x -> new Agg(samples)).merge(v));
            o.byKey.forEach((k, v) -> byKey.computeIfAbsent(k, x -> new Agg(samples)).merge(v));
            o.byUpstream.forEach((k, v) -> byUpstream.computeIfAbsent(k, x -> new Agg(samples)).merge(v));
        }
    }

    private static final class Agg {
        private long requests;
        private long errors;
        private final Map<String, Long> errorsByCode = new TreeMap<>();
        private long prompt;
        private long completion;
        private long cached;
        private final Samples latency;
        private final Samples ttft;

        Agg(int samples) {
            latency = new Samples(samples);
            ttft = new Samples(samples);
        }

        void add(RequestRecord r) {
            requests++;
            if (r.failed()) {
                errors++;
                String code = r.errorCode() == null || r.errorCode().isBlank()
                        ? String.valueOf(r.status()) : r.status() + " " + r.errorCode();
                errorsByCode.merge(code, 1L, Long::sum);
            }
            prompt += r.promptTokens();
            completion += r.completionTokens();
            cached += r.cachedTokens();
            latency.add(r.latencyMs());
            if (r.ttftMs() >= 0) {
                ttft.add(r.ttftMs());
            }
        }

        void merge(Agg o) {
            requests += o.requests;
            errors += o.errors;
            o.errorsByCode.forEach((k, v) -> errorsByCode.merge(k, v, Long::sum));
            prompt += o.prompt;
            completion += o.completion;
            cached += o.cached;
            latency.merge(o.latency);
            ttft.merge(o.ttft);
        }

        Summary summary() {
            return new Summary(requests, errors, Map.copyOf(errorsByCode), prompt, completion, cached,
                    prompt + completion, latency.percentiles(), ttft.percentiles());
        }
    }

    /** A bounded uniform sample (reservoir sampling), enough for percentiles on an admin page. */
    private static final class Samples {
        private final long[] values;
        private int size;
        private long seen;

        Samples(int capacity) {
            values = new long[capacity];
        }

        void add(long v) {
            seen++;
            if (size < values.length) {
                values[size++] = v;
            } else {
                long j = ThreadLocalRandom.current().nextLong(seen);
                if (j < values.length) {
                    values[(int) j] = v;
                }
            }
        }

        void merge(Samples o) {
            for (int i = 0; i < o.size; i++) {
                add(o.values[i]);
            }
        }

        long percentile(int p) {
            if (size == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, size);
            Arrays.sort(sorted);
            int idx = (int) Math.ceil(p / 100.0 * size) - 1;
            return sorted[Math.max(0, Math.min(size - 1, idx))];
        }

        Percentiles percentiles() {
            return new Percentiles(percentile(50), percentile(95), percentile(99));
        }
    }
}
