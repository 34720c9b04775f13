import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Collects one run's results, derives the "added by the proxy" numbers and the target verdicts, and renders them as
 * one text table and as JSON. Added latency is the difference of the same percentile measured direct and through the
 * proxy in the same run.
 */
final class BenchReport {
    /** Non-stream results at one concurrency; CPU in seconds over the whole phase (warm-up + window + drain). */
    record NonStreamRow(int concurrency, LoadEngine.NonStreamResult direct, LoadEngine.NonStreamResult proxy,
                        double addedP50Ms, double addedP99Ms, double simCpuSecondsDirect, double proxyCpuSeconds,
                        double proxyCpuSecondsPer1000) {
    }

    /**
     * Stream results at one concurrency. {@code maxExtraEventDelayP50Ms}/{@code P99Ms}: over all event indexes, the
     * largest difference between the proxy's and the direct percentile of that event's arrival offset.
     */
    record StreamRow(int concurrency, int tokensPerSecond, double eventIntervalMs, LoadEngine.StreamResult direct,
                     LoadEngine.StreamResult proxy, double addedTtfeP50Ms, double addedTtfeP99Ms,
                     double maxExtraEventDelayP50Ms, double maxExtraEventDelayP99Ms, double proxyMaxRssMb,
                     double simCpuSecondsDirect, double proxyCpuSeconds, double simCpuMsPer1000Events,
                     double proxyCpuMsPer1000Events) {
    }

    /**
     * A limited key against an unlimited one on the same proxy process, at one concurrency.
     *
     * @param mode      {@code local} or {@code redis} (the proxy's {@code server.sharedState.mode})
     * @param unlimited the key without limits
     * @param limited   the key with limits on every window
     * @param addedP50Ms limited p50 minus unlimited p50
     * @param addedP99Ms limited p99 minus unlimited p99
     * @param proxyCpuMsPerRequestUnlimited proxy CPU per request, unlimited key
     * @param proxyCpuMsPerRequestLimited   proxy CPU per request, limited key (Redis's own CPU not included)
     * @param redisCpuMsPerRequest          redis-server CPU per limited request (NaN in local mode)
     * @param addedP50ErrorMs               the standard error of the added p50, from the slice pairs' own
     *                                      differences (how much the host's drift leaves in the figure)
     */
    record LimitsRow(String mode, int concurrency, LoadEngine.NonStreamResult unlimited,
                     LoadEngine.NonStreamResult limited, double addedP50Ms, double addedP99Ms,
                     double proxyCpuMsPerRequestUnlimited, double proxyCpuMsPerRequestLimited,
                     double redisCpuMsPerRequest, double addedP50ErrorMs) {
    }

    /** A target from the performance issue and whether this run met it. */
    record Verdict(String name, double value, String comparison, double limit, String unit, boolean met) {
    }

    private final BenchPlan plan;
    private final String stamp;
    private final String proxyJvmFlags;
    private final boolean withProxy;
    private final List<NonStreamRow> nonStream = new ArrayList<>();
    private final List<StreamRow> streams = new ArrayList<>();
    private final List<LimitsRow> limits = new ArrayList<>();
    private ProcStats.Sample idle;
    private ProcStats.Sample afterLoad;
    private java.util.Map<String, Double> proxyThreadCpu = java.util.Map.of();
    private double startupSeconds;
    private double totalSeconds;

    BenchReport(BenchPlan plan, String stamp, String proxyJvmFlags, boolean withProxy) {
        this.plan = plan;
        this.stamp = stamp;
        this.proxyJvmFlags = proxyJvmFlags;
        this.withProxy = withProxy;
    }

    void idle(ProcStats.Sample s) {
        idle = s;
    }

    void afterLoad(ProcStats.Sample s) {
        afterLoad = s;
    }

    /** @param cpu proxy CPU seconds per thread group over the non-stream phases (diagnostic) */
    void proxyThreadCpu(java.util.Map<String, Double> cpu) {
        proxyThreadCpu = cpu;
    }

    void timing(double startup, double total) {
        startupSeconds = startup;
        totalSeconds = total;
    }

    void nonStream(int c, LoadEngine.NonStreamResult d, LoadEngine.NonStreamResult p, double simCpu, double proxyCpu) {
        double per1000 = p == null || p.totalCompleted() == 0 ? Double.NaN : proxyCpu / p.totalCompleted() * 1000;
        nonStream.add(new NonStreamRow(c, d, p, p == null ? Double.NaN : p.p50Ms() - d.p50Ms(),
                p == null ? Double.NaN : p.p99Ms() - d.p99Ms(), simCpu, proxyCpu, per1000));
    }

    void streams(BenchPlan.StreamPhase phase, LoadEngine.StreamResult d, LoadEngine.StreamResult p, double rssMax,
                 double simCpu, double proxyCpu) {
        double extra50 = Double.NaN;
        double extra99 = Double.NaN;
        if (p != null) {
            int n = Math.min(d.eventsPerStream(), p.eventsPerStream());
            for (int i = 0; i < n; i++) {
                extra50 = max(extra50, p.eventOffsetsP50Ms()[i] - d.eventOffsetsP50Ms()[i]);
                extra99 = max(extra99, p.eventOffsetsP99Ms()[i] - d.eventOffsetsP99Ms()[i]);
            }
        }
        streams.add(new StreamRow(phase.concurrency(), phase.tokensPerSecond(), phase.intervalMs(), d, p,
                p == null ? Double.NaN : p.ttfeP50Ms() - d.ttfeP50Ms(),
                p == null ? Double.NaN : p.ttfeP99Ms() - d.ttfeP99Ms(), extra50, extra99, rssMax,
                simCpu, proxyCpu, perThousandEvents(simCpu, d), perThousandEvents(proxyCpu, p)));
    }

    /** CPU ms per 1,000 events, over all streams of the slices (warm-up rounds included, as in the CPU reading). */
    private static double perThousandEvents(double cpuSeconds, LoadEngine.StreamResult r) {
        if (r == null || r.streams() == 0) {
            return Double.NaN;
        }
        return cpuSeconds * 1000 / (r.totalEvents() / 1000.0);
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Math.max(a, b);
    }

    /** @return failed requests and streams in all measured windows */
    void limits(LimitsRow row) {
        limits.add(row);
    }

    /** @return the limited-key rows as printed lines (empty when the phase did not run) */
    String limitsTable() {
        StringBuilder b = new StringBuilder();
        for (LimitsRow r : limits) {
            b.append(String.format(java.util.Locale.ROOT, "limited key, %s state (c=%d): p50 %.3f -> %.3f ms (added"
                            + " %+.3f, slice pairs +/- %.3f), p99 %.2f -> %.2f ms (added %+.2f), proxy CPU per request"
                            + " %.3f -> %.3f ms%s, errors %d / %d%n", r.mode(), r.concurrency(), r.unlimited().p50Ms(),
                    r.limited().p50Ms(), r.addedP50Ms(), r.addedP50ErrorMs(), r.unlimited().p99Ms(), r.limited().p99Ms(), r.addedP99Ms(),
                    r.proxyCpuMsPerRequestUnlimited(), r.proxyCpuMsPerRequestLimited(),
                    Double.isNaN(r.redisCpuMsPerRequest()) ? "" : String.format(java.util.Locale.ROOT,
                            " (+ redis-server %.3f ms)", r.redisCpuMsPerRequest()),
                    r.unlimited().errors(), r.limited().errors()));
        }
        return b.toString();
    }

    long errors() {
        long e = 0;
        for (LimitsRow r : limits) {
            e += r.unlimited().errors() + r.limited().errors();
        }
        for (NonStreamRow r : nonStream) {
            e += r.direct().errors() + (r.proxy() == null ? 0 : r.proxy().errors());
        }
        for (StreamRow r : streams) {
            e += r.direct().errors() + (r.proxy() == null ? 0 : r.proxy().errors());
        }
        return e;
    }

    /** CPU seconds of the proxy per 1,000 requests over all non-stream phases together. */
    double proxyCpuPer1000() {
        double cpu = 0;
        long requests = 0;
        for (NonStreamRow r : nonStream) {
            if (r.proxy() == null) {
                return Double.NaN;
            }
            cpu += r.proxyCpuSeconds();
            requests += r.proxy().totalCompleted();
        }
        return requests == 0 ? Double.NaN : cpu / requests * 1000;
    }

    List<Verdict> verdicts() {
        List<Verdict> v = new ArrayList<>();
        if (!withProxy) {
            return v;
        }
        v.add(le("proxy CPU per 1,000 non-stream requests", proxyCpuPer1000(), 0.08, "s"));
        for (NonStreamRow r : nonStream) {
            if (r.concurrency() == 1) {
                v.add(le("added p50, non-stream c=1", r.addedP50Ms(), 0.3, "ms"));
            }
            if (r.concurrency() == 16) {
                v.add(le("added p50, non-stream c=16", r.addedP50Ms(), 1, "ms"));
                v.add(le("added p99, non-stream c=16", r.addedP99Ms(), 3, "ms"));
            }
            if (r.concurrency() == 16 || r.concurrency() == 64) {
                v.add(ge("throughput via proxy, c=" + r.concurrency(), r.proxy().rps(), 13000, "req/s"));
            }
        }
        for (LimitsRow r : limits) {
            v.add(le("limited key, " + r.mode() + " state: added p50 at c=" + r.concurrency(), r.addedP50Ms(),
                    r.mode().equals("local") ? 0.05 : 0.3, "ms"));
        }
        for (StreamRow r : streams) {
            if (r.concurrency() == 200) {
                v.add(le("added time to first event p50, 200 streams", r.addedTtfeP50Ms(), 1, "ms"));
                v.add(le("added time to first event p99, 200 streams", r.addedTtfeP99Ms(), 10, "ms"));
                v.add(le("largest extra event delay at p99, 200 streams", r.maxExtraEventDelayP99Ms(), 5, "ms"));
            }
            if (r.concurrency() == 2000) {
                boolean held = r.proxy().errors() == 0 && r.proxy().maxConcurrent() >= r.concurrency();
                double rss = held ? r.proxyMaxRssMb() : Double.POSITIVE_INFINITY;
                v.add(le("2,000 streams held (no errors), proxy RSS", rss, 400, "MB"));
            }
        }
        if (idle != null) {
            v.add(le("idle RSS after start", idle.rssMb(), 150, "MB"));
        }
        return v;
    }

    private static Verdict le(String name, double value, double limit, String unit) {
        return new Verdict(name, value, "<=", limit, unit, !Double.isNaN(value) && value <= limit);
    }

    private static Verdict ge(String name, double value, double limit, String unit) {
        return new Verdict(name, value, ">=", limit, unit, !Double.isNaN(value) && value >= limit);
    }

    String table() {
        Table t = new Table("scenario", "metric", "direct", "proxy", "added", "target", "result");
        for (NonStreamRow r : nonStream) {
            String s = "non-stream c=" + r.concurrency();
            LoadEngine.NonStreamResult d = r.direct();
            LoadEngine.NonStreamResult p = r.proxy();
            t.row(s, "requests/s", f0(d.rps()), p == null ? "-" : f0(p.rps()), "", r.concurrency() >= 16
                    ? target(">= 13000 via proxy", "throughput via proxy, c=" + r.concurrency()) : target(""));
            t.row(s, "p50 ms", f3(d.p50Ms()), p == null ? "-" : f3(p.p50Ms()), f3(r.addedP50Ms()),
                    r.concurrency() == 1 ? target("added <= 0.3", "added p50, non-stream c=1")
                    : r.concurrency() == 16 ? target("added <= 1", "added p50, non-stream c=16") : target(""));
            t.row(s, "p99 ms", f3(d.p99Ms()), p == null ? "-" : f3(p.p99Ms()), f3(r.addedP99Ms()),
                    r.concurrency() == 16 ? target("added <= 3", "added p99, non-stream c=16") : target(""));
            t.row(s, "proxy CPU s / 1k req", "", f3(r.proxyCpuSecondsPer1000()), "", target(""));
            if (d.errors() > 0 || (p != null && p.errors() > 0)) {
                t.row(s, "ERRORS", Long.toString(d.errors()), p == null ? "-" : Long.toString(p.errors()), "", target(""));
            }
        }
        for (StreamRow r : streams) {
            String s = "stream x" + r.concurrency() + " (" + f0(r.eventIntervalMs()) + " ms apart)";
            LoadEngine.StreamResult d = r.direct();
            LoadEngine.StreamResult p = r.proxy();
            boolean s200 = r.concurrency() == 200;
            t.row(s, "streams, events each, most open", d.streams() + ", " + d.eventsPerStream() + ", " + d.maxConcurrent(),
                    p == null ? "-" : p.streams() + ", " + p.eventsPerStream() + ", " + p.maxConcurrent(), "", target(""));
            t.row(s, "first event p50 ms", f3(d.ttfeP50Ms()), p == null ? "-" : f3(p.ttfeP50Ms()), f3(r.addedTtfeP50Ms()),
                    s200 ? target("added <= 1", "added time to first event p50, 200 streams") : target(""));
            t.row(s, "first event p99 ms", f3(d.ttfeP99Ms()), p == null ? "-" : f3(p.ttfeP99Ms()), f3(r.addedTtfeP99Ms()),
                    s200 ? target("added <= 10", "added time to first event p99, 200 streams") : target(""));
            t.row(s, "last event p50 ms", f3(d.lastEventP50Ms()), p == null ? "-" : f3(p.lastEventP50Ms()),
                    p == null ? "" : f3(p.lastEventP50Ms() - d.lastEventP50Ms()), target(""));
            t.row(s, "max extra event delay p50/p99 ms", "", "", f3(r.maxExtraEventDelayP50Ms()) + " / "
                    + f3(r.maxExtraEventDelayP99Ms()), s200 ? target("p99 <= 5", "largest extra event delay at p99, 200 streams")
                    : target(""));
            t.row(s, "CPU ms / 1k events (sim | proxy)", f3(r.simCpuMsPer1000Events()), f3(r.proxyCpuMsPer1000Events()),
                    "", target(""));
            t.row(s, "max gap between events ms", f3(d.maxInterEventGapMs()), p == null ? "-" : f3(p.maxInterEventGapMs()),
                    "", target(""));
            if (p != null) {
                t.row(s, "proxy max RSS MB", "", f0(r.proxyMaxRssMb()), "", r.concurrency() == 2000
                        ? target("<= 400, no errors", "2,000 streams held (no errors), proxy RSS") : target(""));
            }
            if (d.errors() > 0 || (p != null && p.errors() > 0)) {
                t.row(s, "ERRORS", Long.toString(d.errors()), p == null ? "-" : Long.toString(p.errors()), "", target(""));
            }
        }
        if (idle != null) {
            t.row("proxy memory", "idle RSS MB (after start)", "", f0(idle.rssMb()), "", target("<= 150", "idle RSS after start"));
        }
        if (afterLoad != null) {
            t.row("proxy memory", "idle RSS MB (after load)", "", f0(afterLoad.rssMb()), "", target(""));
            t.row("proxy memory", "peak RSS MB (VmHWM)", "", f0(afterLoad.hwmMb()), "", target(""));
        }
        if (withProxy) {
            t.row("proxy CPU", "s per 1k non-stream req (all)", "", f3(proxyCpuPer1000()), "",
                    target("<= 0.08", "proxy CPU per 1,000 non-stream requests"));
        }
        List<Verdict> verdicts = verdicts();
        StringBuilder out = new StringBuilder();
        out.append("AOAI Gateway bench ").append(stamp).append(plan.quick() ? "  (BENCH_QUICK: smoke run, not comparable)" : "")
                .append("\nCPUs: ").append(Runtime.getRuntime().availableProcessors())
                .append("   proxy JVM: ").append(proxyJvmFlags).append("   Java ").append(Runtime.version()).append('\n')
                .append(String.format(Locale.ROOT, "startup %.1f s, whole run %.1f s%n", startupSeconds, totalSeconds));
        out.append(t.render());
        if (!verdicts.isEmpty()) {
            out.append("\nTargets:\n");
            for (Verdict v : verdicts) {
                out.append(String.format(Locale.ROOT, "  %-7s %-48s %10s %s %s %s%n", v.met() ? "MET" : "NOT MET",
                        v.name(), fmt(v.value()), v.comparison(), fmt(v.limit()), v.unit()));
            }
        }
        if (!proxyThreadCpu.isEmpty()) {
            out.append("\nProxy CPU seconds by thread over the non-stream phases (diagnostic): ");
            proxyThreadCpu.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(10).forEach(e -> out.append(e.getKey()).append('=').append(e.getValue()).append("  "));
            out.append('\n');
        }
        if (errors() > 0) {
            out.append("\nERRORS in measured windows: ").append(errors()).append(firstErrors()).append('\n');
        }
        return out.toString();
    }

    private String firstErrors() {
        StringBuilder b = new StringBuilder();
        for (NonStreamRow r : nonStream) {
            appendError(b, "non-stream c=" + r.concurrency() + " direct", r.direct().firstError());
            appendError(b, "non-stream c=" + r.concurrency() + " proxy", r.proxy() == null ? null : r.proxy().firstError());
        }
        for (StreamRow r : streams) {
            appendError(b, "stream x" + r.concurrency() + " direct", r.direct().firstError());
            appendError(b, "stream x" + r.concurrency() + " proxy", r.proxy() == null ? null : r.proxy().firstError());
        }
        return b.toString();
    }

    private static void appendError(StringBuilder b, String where, String error) {
        if (error != null) {
            b.append("\n  ").append(where).append(": ").append(error.replace("\r\n", " | "));
        }
    }

    private String[] target(String s) {
        return new String[] {s, ""};
    }

    private String[] target(String s, String verdictName) {
        for (Verdict v : verdicts()) {
            if (v.name().equals(verdictName)) {
                return new String[] {s, v.met() ? "MET" : "NOT MET"};
            }
        }
        return new String[] {s, ""};
    }

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode root = mapper.createObjectNode();
        root.put("timestamp", stamp);
        root.put("quick", plan.quick());
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        root.put("java", Runtime.version().toString());
        root.put("proxyJvmFlags", proxyJvmFlags);
        root.put("withProxy", withProxy);
        root.put("startupSeconds", startupSeconds);
        root.put("totalSeconds", totalSeconds);
        root.set("plan", mapper.valueToTree(plan));
        root.set("nonStream", mapper.valueToTree(nonStream));
        root.set("streams", mapper.valueToTree(streams));
        root.set("limits", mapper.valueToTree(limits));
        ObjectNode mem = root.putObject("proxyMemory");
        if (idle != null) {
            mem.put("idleRssMb", idle.rssMb());
        }
        if (afterLoad != null) {
            mem.put("idleAfterLoadRssMb", afterLoad.rssMb());
            mem.put("peakRssMb", afterLoad.hwmMb());
        }
        root.put("proxyCpuSecondsPer1000", proxyCpuPer1000());
        root.set("proxyThreadCpuSecondsNonStream", mapper.valueToTree(proxyThreadCpu));
        root.put("errors", errors());
        root.set("targets", mapper.valueToTree(verdicts()));
        return root;
    }

    private static String f0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String fmt(double v) {
        if (Double.isInfinite(v)) {
            return "n/a";
        }
        return Double.isNaN(v) ? "-" : Math.abs(v) >= 100 ? f0(v) : f3(v);
    }

    /** A plain text table with aligned columns. */
    private static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }


        void row(String scenario, String metric, String direct, String proxy, String added, String[] target) {
            rows.add(new String[] {scenario, metric, direct, proxy, added, target[0], target[1]});
        }

        String render() {
            int cols = rows.getFirst().length;
            int[] w = new int[cols];
            for (String[] r : rows) {
                for (int i = 0; i < cols; i++) {
                    w[i] = Math.max(w[i], i < r.length ? r[i].length() : 0);
                }
            }
            StringBuilder b = new StringBuilder();
            for (int n = 0; n < rows.size(); n++) {
                String[] r = rows.get(n);
                for (int i = 0; i < cols; i++) {
                    String cell = i < r.length ? r[i] : "";
                    boolean right = i >= 2 && i <= 4;
                    b.append(right ? " ".repeat(w[i] - cell.length()) + cell : cell + " ".repeat(w[i] - cell.length()));
                    b.append(i + 1 < cols ? " | " : "");
                }
                b.append('\n');
                if (n == 0) {
                    for (int i = 0; i < cols; i++) {
                        b.append("-".repeat(w[i])).append(i + 1 < cols ? "-+-" : "");
                    }
                    b.append('\n');
                }
            }
            return b.toString();
        }
    }
}
