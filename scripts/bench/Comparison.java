import com.fasterxml.jackson.databind.JsonNode;

import java.util.Locale;

/**
 * {@code --compare}: the gateway's run and another gateway's run (the Node original) side by side, from their JSON
 * reports. The two runs come one after the other, each with its own direct-to-simulator measurement, so the rows
 * that matter are the ones relative to direct (added latency, share of direct) and the CPU per request or stream.
 */
final class Comparison {
    private Comparison() {
    }

    static String table(JsonNode ours, JsonNode other, String otherName) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-58s %22s %22s %22s%n", "side by side (two runs, one after the other)",
                "this gateway", otherName, "direct (this run)"));
        row(b, "CPU s per 1,000 non-stream requests, c=16", f3(cpu16(ours)), f3(cpu16(other)), "-");
        row(b, "requests/s, c=16 (share of direct)", rps16(ours), rps16(other), f0(ns(ours, 16).path("direct").path("rps").asDouble(Double.NaN)));
        row(b, "added p50 / p99 at c=16, ms", added(ns(ours, 16)), added(ns(other, 16)), "-");
        row(b, "added p50 at c=1, ms", f3(ns(ours, 1).path("addedP50Ms").asDouble(Double.NaN)),
                f3(ns(other, 1).path("addedP50Ms").asDouble(Double.NaN)), "-");
        row(b, "CPU s per 1,000 streams (200 open)", f3(streamCpu(st(ours, 200))), f3(streamCpu(st(other, 200))), "-");
        row(b, "200 streams: added first event p50 / p99, ms", ttfe(st(ours, 200)), ttfe(st(other, 200)), "-");
        row(b, "200 streams: extra event delay p99, ms", f3(st(ours, 200).path("maxExtraEventDelayP99Ms").asDouble(Double.NaN)),
                f3(st(other, 200).path("maxExtraEventDelayP99Ms").asDouble(Double.NaN)), "-");
        row(b, "peak RSS / idle RSS, MB", rss(ours), rss(other), "-");
        row(b, "simulator + gateway ready after start, s", f3(ours.path("startupSeconds").asDouble(Double.NaN)),
                f3(other.path("startupSeconds").asDouble(Double.NaN)), "-");
        row(b, "errors", Long.toString(ours.path("errors").asLong()), Long.toString(other.path("errors").asLong()), "-");
        return b.toString();
    }

    private static void row(StringBuilder b, String what, String a, String c, String d) {
        b.append(String.format(Locale.ROOT, "%-58s %22s %22s %22s%n", what, a, c, d));
    }

    private static JsonNode ns(JsonNode doc, int c) {
        for (JsonNode r : doc.path("nonStream")) {
            if (r.path("concurrency").asInt() == c) {
                return r;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static JsonNode st(JsonNode doc, int c) {
        for (JsonNode r : doc.path("streams")) {
            if (r.path("concurrency").asInt() == c) {
                return r;
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static double cpu16(JsonNode doc) {
        return ns(doc, 16).path("proxyCpuSecondsPer1000").asDouble(Double.NaN);
    }

    private static String rps16(JsonNode doc) {
        JsonNode r = ns(doc, 16);
        double p = r.path("proxy").path("rps").asDouble(Double.NaN);
        double d = r.path("direct").path("rps").asDouble(Double.NaN);
        return f0(p) + " (" + f0(100 * p / d) + " %)";
    }

    private static String added(JsonNode r) {
        return f3(r.path("addedP50Ms").asDouble(Double.NaN)) + " / " + f3(r.path("addedP99Ms").asDouble(Double.NaN));
    }

    private static String ttfe(JsonNode r) {
        return f3(r.path("addedTtfeP50Ms").asDouble(Double.NaN)) + " / " + f3(r.path("addedTtfeP99Ms").asDouble(Double.NaN));
    }

    /** CPU ms per 1,000 events times events per stream: CPU seconds per 1,000 streams. */
    private static double streamCpu(JsonNode r) {
        double perEvent = r.path("proxyCpuMsPer1000Events").asDouble(Double.NaN);
        int events = r.path("proxy").path("eventsPerStream").asInt(0);
        return events == 0 ? Double.NaN : perEvent * events / 1000;
    }

    private static String rss(JsonNode doc) {
        JsonNode m = doc.path("proxyMemory");
        return f0(m.path("peakRssMb").asDouble(Double.NaN)) + " / " + f0(m.path("idleRssMb").asDouble(Double.NaN));
    }

    private static String f3(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String f0(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
