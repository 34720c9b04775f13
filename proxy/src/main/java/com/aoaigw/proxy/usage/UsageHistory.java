package com.aoaigw.proxy.usage;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The usage history in memory: per minute, per hour and per day buckets (see {@link Resolution}), each bucket a cell
 * per {@link Dims}. Minute deltas are added to all three resolutions at once, so each resolution is exact on its own
 * and old minutes can be dropped without losing the hours and days. Thread-safe (one lock; the request path never
 * touches it: {@link UsageRecorder} aggregates in front of it).
 */
public final class UsageHistory {
    /** The snapshot format's version; bump it when cells or histogram bounds change meaning. */
    static final int FORMAT = 1;

    private final Map<Resolution, TreeMap<Long, Map<Dims, UsageCell>>> data = new EnumMap<>(Resolution.class);

    /** An empty history. */
    public UsageHistory() {
        for (Resolution r : Resolution.values()) {
            data.put(r, new TreeMap<>());
        }
    }

    /**
     * Adds minute cells to every resolution.
     *
     * @param minutes minute start to the cells of that minute (not kept: copied)
     */
    public synchronized void add(Map<Long, Map<Dims, UsageCell>> minutes) {
        minutes.forEach((minute, cells) -> {
            for (Resolution r : Resolution.values()) {
                Map<Dims, UsageCell> bucket = data.get(r).computeIfAbsent(r.align(minute), k -> new HashMap<>());
                cells.forEach((d, c) -> bucket.computeIfAbsent(d, k -> new UsageCell()).merge(c));
            }
        });
    }

    /**
     * Drops the buckets past their resolution's retention.
     *
     * @param nowMillis the time now
     */
    public synchronized void prune(long nowMillis) {
        for (Resolution r : Resolution.values()) {
            data.get(r).headMap(r.oldestKept(nowMillis)).clear();
        }
    }

    /**
     * @param fromMillis range start (aligned down to the step)
     * @param toMillis   range end (exclusive)
     * @param step       the resolution to read
     * @param by         the dimension to group by
     * @return the report (scope {@code replica})
     */
    public synchronized UsageReport query(long fromMillis, long toMillis, Resolution step, Dims.Dimension by) {
        long from = step.align(fromMillis);
        return report(from, toMillis, step, by, "replica", data.get(step).subMap(from, true, toMillis, false));
    }

    /**
     * Groups bucket cells into a report (also used for what Redis returns).
     *
     * @param from    range start (aligned)
     * @param to      range end
     * @param step    the resolution
     * @param by      the dimension
     * @param scope   {@code fleet} or {@code replica}
     * @param buckets bucket start to cells, ascending
     * @return the report
     */
    static UsageReport report(long from, long to, Resolution step, Dims.Dimension by, String scope,
                              NavigableMap<Long, Map<Dims, UsageCell>> buckets) {
        List<UsageReport.Bucket> out = new java.util.ArrayList<>();
        Map<String, UsageCell> groups = new TreeMap<>();
        UsageCell total = new UsageCell();
        buckets.forEach((t, cells) -> {
            Map<String, UsageCell> g = new TreeMap<>();
            cells.forEach((d, c) -> {
                if (c.requests == 0) {
                    return;
                }
                g.computeIfAbsent(d.get(by), k -> new UsageCell()).merge(c);
                groups.computeIfAbsent(d.get(by), k -> new UsageCell()).merge(c);
                total.merge(c);
            });
            if (!g.isEmpty()) {
                out.add(new UsageReport.Bucket(t, g));
            }
        });
        return new UsageReport(from, to, step, by, scope, List.copyOf(out), groups, total);
    }

    /** @return requests counted in the day buckets (for the start-up log line) */
    public synchronized long totalRequests() {
        long n = 0;
        for (Map<Dims, UsageCell> b : data.get(Resolution.DAY).values()) {
            for (UsageCell c : b.values()) {
                n += c.requests;
            }
        }
        return n;
    }

    // ---- snapshot format: JSON, one object; histograms as [bucket, count] pairs ---------------------------------

    /**
     * Writes the whole history.
     *
     * @param out where (not closed)
     * @param nowMillis the time of the snapshot
     * @throws IOException when writing fails
     */
    public synchronized void writeTo(OutputStream out, long nowMillis) throws IOException {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeNumberField("format", FORMAT);
            g.writeNumberField("savedAt", nowMillis);
            g.writeObjectFieldStart("buckets");
            for (Resolution r : Resolution.values()) {
                g.writeArrayFieldStart(r.label());
                for (Map.Entry<Long, Map<Dims, UsageCell>> b : data.get(r).entrySet()) {
                    g.writeStartObject();
                    g.writeNumberField("t", b.getKey());
                    g.writeArrayFieldStart("cells");
                    for (Map.Entry<Dims, UsageCell> e : b.getValue().entrySet()) {
                        writeCell(g, e.getKey(), e.getValue());
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    private static void writeCell(JsonGenerator g, Dims d, UsageCell c) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("d");
        g.writeString(d.model());
        g.writeString(d.key());
        g.writeString(d.upstream());
        g.writeString(d.deployment());
        g.writeEndArray();
        g.writeNumberField("r", c.requests);
        g.writeNumberField("e", c.errors);
        g.writeObjectFieldStart("ec");
        for (Map.Entry<String, Long> e : c.errorsByCode().entrySet()) {
            g.writeNumberField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeNumberField("pt", c.promptTokens);
        g.writeNumberField("ct", c.cachedTokens);
        g.writeNumberField("ot", c.completionTokens);
        g.writeNumberField("rt", c.reasoningTokens);
        g.writeNumberField("cn", c.costNanos);
        g.writeNumberField("pr", c.pricedRequests);
        writeHistogram(g, "l", c.latency);
        writeHistogram(g, "f", c.ttft);
        g.writeEndObject();
    }

    private static void writeHistogram(JsonGenerator g, String name, Histogram h) throws IOException {
        g.writeArrayFieldStart(name);
        for (int b : h.buckets()) {
            g.writeNumber(b);
            g.writeNumber(h.count(b));
        }
        g.writeEndArray();
    }

    /**
     * Reads a history written by {@link #writeTo}.
     *
     * @param in     the snapshot
     * @param mapper a mapper
     * @return the history
     * @throws IOException when it is not a complete snapshot of this format
     */
    public static UsageHistory readFrom(InputStream in, ObjectMapper mapper) throws IOException {
        JsonNode root = mapper.readTree(in);
        if (root == null || !root.isObject() || root.path("format").asInt() != FORMAT) {
            throw new IOException("not a usage history snapshot of format " + FORMAT);
        }
        UsageHistory h = new UsageHistory();
        for (Resolution r : Resolution.values()) {
            JsonNode list = root.path("buckets").path(r.label());
            if (!list.isArray()) {
                throw new IOException("no " + r.label() + " buckets");
            }
            TreeMap<Long, Map<Dims, UsageCell>> m = h.data.get(r);
            for (JsonNode b : list) {
                Map<Dims, UsageCell> cells = m.computeIfAbsent(r.align(b.path("t").asLong()), k -> new HashMap<>());
                for (JsonNode c : b.path("cells")) {
                    JsonNode d = c.path("d");
                    Dims dims = new Dims(d.path(0).asText(null), d.path(1).asText(null), d.path(2).asText(null),
                            d.path(3).asText(null));
                    cells.computeIfAbsent(dims, k -> new UsageCell()).merge(readCell(c));
                }
            }
        }
        return h;
    }

    private static UsageCell readCell(JsonNode n) throws IOException {
        UsageCell c = new UsageCell();
        c.requests = n.path("r").asLong();
        c.errors = n.path("e").asLong();
        Iterator<Map.Entry<String, JsonNode>> codes = n.path("ec").fields();
        while (codes.hasNext()) {
            Map.Entry<String, JsonNode> e = codes.next();
            c.addCode(e.getKey(), e.getValue().asLong());
        }
        c.promptTokens = n.path("pt").asLong();
        c.cachedTokens = n.path("ct").asLong();
        c.completionTokens = n.path("ot").asLong();
        c.reasoningTokens = n.path("rt").asLong();
        c.costNanos = n.path("cn").asLong();
        c.pricedRequests = n.path("pr").asLong();
        readHistogram(n.path("l"), c.latency);
        readHistogram(n.path("f"), c.ttft);
        return c;
    }

    private static void readHistogram(JsonNode a, Histogram h) throws IOException {
        if (!a.isArray() || a.size() % 2 != 0) {
            throw new IOException("a histogram is not [bucket, count] pairs");
        }
        for (int i = 0; i < a.size(); i += 2) {
            int b = a.get(i).asInt(-1);
            if (b < 0 || b >= Histogram.BUCKETS) {
                throw new IOException("histogram bucket " + b + " out of range");
            }
            h.add(b, a.get(i + 1).asLong());
        }
    }

    /**
     * Adds another history into this one (a loaded snapshot into what was counted since start).
     *
     * @param other the other history
     */
    public synchronized void merge(UsageHistory other) {
        Map<Resolution, Map<Long, Map<Dims, UsageCell>>> copy = new LinkedHashMap<>();
        synchronized (other) {
            other.data.forEach((r, m) -> copy.put(r, new TreeMap<>(m)));
        }
        copy.forEach((r, m) -> m.forEach((t, cells) -> {
            Map<Dims, UsageCell> mine = data.get(r).computeIfAbsent(t, k -> new HashMap<>());
            cells.forEach((d, c) -> mine.computeIfAbsent(d, k -> new UsageCell()).merge(c));
        }));
    }

    /**
     * @param r a resolution
     * @return a deep copy of its buckets (tests)
     */
    synchronized NavigableMap<Long, Map<Dims, UsageCell>> buckets(Resolution r) {
        NavigableMap<Long, Map<Dims, UsageCell>> out = new TreeMap<>();
        data.get(r).forEach((t, cells) -> {
            Map<Dims, UsageCell> c = new HashMap<>();
            cells.forEach((d, x) -> c.put(d, x.copy()));
            out.put(t, c);
        });
        return out;
    }
}
