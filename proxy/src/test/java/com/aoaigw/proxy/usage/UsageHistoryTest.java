package com.aoaigw.proxy.usage;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import com.aoaigw.config.Secret;
import com.aoaigw.config.SharedStateSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The usage history on a fake clock: buckets, retention, histograms, snapshots, the fleet store's retries. */
class UsageHistoryTest {
    /** 2026-03-10T12:00:00Z: a Tuesday, mid-month. */
    private static final long T0 = 1_773_144_000_000L;
    private static final long MIN = 60_000;
    private static final long HOUR = 3_600_000;
    private static final long DAY = 86_400_000;

    @TempDir
    Path dir;

    private static UsageEvent event(long at, String model, String key, int status, String code, long latency,
                                    long ttft) {
        return new UsageEvent(at, model, key, "up", "dep", status, code, 100, 20, 50, 10, 1_500, latency, ttft);
    }

    private UsageService service(AtomicLong clock) {
        return new UsageService(new UsageSettings(dir.resolve("usage-history.json.gz"), 60_000, 5_000),
                clock::get);
    }

    @Test
    void histogramBoundsAreFixedAndPercentilesComeFromBuckets() {
        assertEquals(0, Histogram.bucketOf(0));
        assertEquals(0, Histogram.bucketOf(-5));
        assertEquals(15, Histogram.bucketOf(15));
        assertEquals(16, Histogram.bucketOf(16));
        assertEquals(16, Histogram.bucketOf(17), "17 ms shares the first geometric bucket [16, 18)");
        assertEquals(18, Histogram.lower(17));
        for (int b = 1; b < Histogram.BUCKETS - 1; b++) {
            assertEquals(Histogram.upper(b - 1), Histogram.lower(b), "bounds are contiguous");
            assertTrue(Histogram.upper(b) > Histogram.lower(b));
            assertTrue(Histogram.upper(b) <= Math.ceil(Histogram.lower(b) * 1.1) + 1, "each bucket within ~9%: " + b);
        }
        assertEquals(Histogram.BUCKETS - 1, Histogram.bucketOf(10 * HOUR), "overflow bucket");
        assertTrue(Histogram.BUCKETS < 200, "bounded bucket count: " + Histogram.BUCKETS);

        Histogram h = new Histogram();
        for (int v = 1; v <= 10; v++) {
            h.add(v);
        }
        assertEquals(5.0, h.percentile(50));
        assertEquals(10.0, h.percentile(95));
        assertEquals(1.0, h.percentile(0));
        assertNull(new Histogram().percentile(50), "no values, no percentile");

        // 100 values of 1000 ms: the answer lies within the bucket that holds 1000
        Histogram k = new Histogram();
        for (int i = 0; i < 100; i++) {
            k.add(1000);
        }
        int b = Histogram.bucketOf(1000);
        double p50 = k.percentile(50);
        assertTrue(p50 >= Histogram.lower(b) && p50 < Histogram.upper(b), "p50 " + p50);
    }

    @Test
    void histogramsMergeExactly() {
        java.util.Random r = new java.util.Random(7);
        Histogram all = new Histogram();
        Histogram a = new Histogram();
        Histogram c = new Histogram();
        for (int i = 0; i < 10_000; i++) {
            long v = (long) Math.exp(r.nextDouble() * 12);
            all.add(v);
            (i % 3 == 0 ? a : c).add(v);
        }
        Histogram merged = a.copy();
        merged.merge(c);
        assertEquals(all, merged, "merging the halves gives exactly the histogram of the whole");
        assertEquals(all.percentile(95), merged.percentile(95));
        assertEquals(10_000, merged.total());
        // order does not matter either
        Histogram other = c.copy();
        other.merge(a);
        assertEquals(merged, other);
    }

    @Test
    void bucketsRollOverAndRollUp() {
        AtomicLong clock = new AtomicLong(T0 + 30_000);
        UsageService s = service(clock);
        s.record(event(clock.get(), "m1", "k1", 200, null, 100, 40));
        s.record(event(clock.get(), "m1", "k2", 429, "rate_limit_exceeded", 5, -1));
        clock.addAndGet(MIN); // the next minute
        s.record(event(clock.get(), "m2", "k1", 200, null, 300, 90));
        clock.addAndGet(HOUR); // the next hour
        s.record(event(clock.get(), "m2", "k1", 502, null, 50, -1));

        UsageReport minutes = s.query(T0, T0 + 2 * HOUR, Resolution.MINUTE, Dims.Dimension.MODEL);
        assertEquals(List.of(T0, T0 + MIN, T0 + MIN + HOUR),
                minutes.buckets().stream().map(UsageReport.Bucket::t).toList());
        assertEquals(2, minutes.buckets().get(0).groups().get("m1").requests());
        assertEquals(1, minutes.buckets().get(0).groups().get("m1").errorsByCode().get("rate_limit_exceeded"));
        assertEquals(4, minutes.total().requests());
        assertEquals(2, minutes.total().errors());
        assertEquals(1, minutes.total().errorsByCode().get("502"), "no code: the status");
        assertEquals(400, minutes.total().promptTokens());
        assertEquals(80, minutes.total().cachedTokens());
        assertEquals(200, minutes.total().completionTokens());
        assertEquals(40, minutes.total().reasoningTokens());
        assertEquals(6_000e-9, minutes.total().cost(), 1e-15);

        UsageReport hours = s.query(T0, T0 + 2 * HOUR, Resolution.HOUR, Dims.Dimension.KEY);
        assertEquals(List.of(T0, T0 + HOUR), hours.buckets().stream().map(UsageReport.Bucket::t).toList());
        assertEquals(2, hours.buckets().get(0).groups().get("k1").requests());
        assertEquals(1, hours.buckets().get(0).groups().get("k2").requests());
        assertEquals(3, hours.groups().get("k1").requests());
        assertEquals(minutes.total(), hours.total(), "the hour rollup adds up exactly to the minutes");
        UsageReport days = s.query(T0, T0 + DAY, Resolution.DAY, Dims.Dimension.UPSTREAM);
        assertEquals(minutes.total(), days.total());
        assertEquals(4, days.groups().get("up").requests());
        s.close();
    }

    @Test
    void retentionDropsEachResolutionAfterItsPeriod() {
        AtomicLong clock = new AtomicLong(T0);
        UsageService s = service(clock);
        s.record(event(T0, "m", "k", 200, null, 10, 5));
        s.tick();
        long far = T0 + 500 * DAY;
        assertEquals(1, s.query(T0, far, Resolution.MINUTE, Dims.Dimension.MODEL).total().requests());

        clock.set(T0 + 48 * HOUR - MIN);
        s.tick();
        assertEquals(1, s.query(T0, far, Resolution.MINUTE, Dims.Dimension.MODEL).total().requests(),
                "a minute is kept 48 hours");
        clock.set(T0 + 49 * HOUR);
        s.tick();
        assertEquals(0, s.query(T0, far, Resolution.MINUTE, Dims.Dimension.MODEL).total().requests());
        assertEquals(1, s.query(T0, far, Resolution.HOUR, Dims.Dimension.MODEL).total().requests());

        clock.set(T0 + 89 * DAY);
        s.tick();
        assertEquals(1, s.query(T0, far, Resolution.HOUR, Dims.Dimension.MODEL).total().requests(),
                "an hour is kept 90 days");
        clock.set(T0 + 91 * DAY);
        s.tick();
        assertEquals(0, s.query(T0, far, Resolution.HOUR, Dims.Dimension.MODEL).total().requests());
        assertEquals(1, s.query(T0, far, Resolution.DAY, Dims.Dimension.MODEL).total().requests());

        clock.set(T0 + 390 * DAY); // 12.8 months
        s.tick();
        assertEquals(1, s.query(T0, far, Resolution.DAY, Dims.Dimension.MODEL).total().requests(),
                "a day is kept 13 months");
        clock.set(T0 + 400 * DAY);
        s.tick();
        assertEquals(0, s.query(T0, far, Resolution.DAY, Dims.Dimension.MODEL).total().requests());
        s.close();
    }

    @Test
    void snapshotRoundTripsAndIsWrittenAtLeastOnceAMinuteAndAtClose() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        Path file = dir.resolve("usage-history.json.gz");
        UsageService s = service(clock);
        s.start();
        s.record(event(T0, "m1", "k1", 200, null, 123, 45));
        s.record(event(T0 + 5, "m|x%", "k1", 500, "odd|code", 7, -1));
        s.tick();
        assertFalse(Files.exists(file), "not yet a minute");
        clock.addAndGet(MIN);
        s.tick();
        assertTrue(Files.exists(file), "written within a minute of new usage");
        s.record(event(clock.get(), "m2", "k2", 200, null, 1, 1));
        s.close();

        UsageHistory loaded = new SnapshotFile(file).load();
        UsageService again = service(clock);
        again.start();
        for (Resolution r : Resolution.values()) {
            UsageReport a = again.query(T0, T0 + DAY, r, Dims.Dimension.MODEL);
            assertEquals(3, a.total().requests(), r.label());
            assertEquals(List.of("m1", "m2", "m|x%"), List.copyOf(a.groups().keySet()));
            assertEquals(1, a.groups().get("m|x%").errorsByCode().get("odd|code"));
            double p50 = a.groups().get("m1").latency().percentile(50);
            assertTrue(p50 >= Histogram.lower(Histogram.bucketOf(123)) && p50 < Histogram.upper(Histogram.bucketOf(123)),
                    "p50 " + p50 + " in the bucket of 123");
        }
        again.close();
        // and the bytes say the same as the objects
        ByteArrayOutputStream b1 = new ByteArrayOutputStream();
        loaded.writeTo(b1, 0);
        UsageHistory back = UsageHistory.readFrom(new java.io.ByteArrayInputStream(b1.toByteArray()),
                new ObjectMapper());
        for (Resolution r : Resolution.values()) {
            assertEquals(loaded.buckets(r), back.buckets(r));
        }
    }

    @Test
    void aTornOrCorruptSnapshotIsIgnoredNotFatal() throws Exception {
        AtomicLong clock = new AtomicLong(T0);
        Path file = dir.resolve("usage-history.json.gz");
        UsageService s = service(clock);
        for (int i = 0; i < 500; i++) {
            s.record(event(T0 + i * MIN, "m" + (i % 7), "k" + (i % 5), 200, null, i, i / 2));
        }
        s.close();
        byte[] whole = Files.readAllBytes(file);
        assertTrue(whole.length > 200, "a real snapshot: " + whole.length);
        assertEquals(500, new SnapshotFile(file).load().totalRequests());

        Files.write(file, java.util.Arrays.copyOf(whole, whole.length / 2)); // torn in the middle
        assertEquals(0, new SnapshotFile(file).load().totalRequests());
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 4)); // only the gzip trailer lost
        assertEquals(0, new SnapshotFile(file).load().totalRequests());
        Files.writeString(file, "not a snapshot");
        assertEquals(0, new SnapshotFile(file).load().totalRequests());
        Files.write(file, new byte[0]);
        assertEquals(0, new SnapshotFile(file).load().totalRequests());

        // the service starts on it and replaces it with its next snapshot
        UsageService next = service(clock);
        next.start();
        next.record(event(T0, "m", "k", 200, null, 1, 1));
        next.close();
        assertEquals(1, new SnapshotFile(file).load().totalRequests());
        assertFalse(Files.exists(dir.resolve("usage-history.json.gz.tmp")), "no temp file left");
    }

    @Test
    void rangesPickTheirStep() throws Exception {
        long now = T0 + 30 * MIN + 15_000;
        UsageAdminService.Range h1 = UsageAdminService.range("1h", null, null, now);
        assertEquals(Resolution.MINUTE, h1.step());
        assertEquals(60, (h1.to() - h1.from()) / MIN);
        assertEquals(T0 + 31 * MIN, h1.to(), "to the end of the current minute");
        assertEquals(Resolution.MINUTE, UsageAdminService.range("24h", null, null, now).step());
        assertEquals(Resolution.HOUR, UsageAdminService.range("7d", null, null, now).step());
        assertEquals(Resolution.HOUR, UsageAdminService.range("30d", null, null, now).step());
        UsageAdminService.Range all = UsageAdminService.range("all", null, null, now);
        assertEquals(Resolution.DAY, all.step());
        assertEquals(Resolution.DAY.oldestKept(now), all.from());
        assertEquals(Resolution.MINUTE, UsageAdminService.range(null, null, null, now).step(), "default 24h");

        // custom: the finest kept resolution with at most 2000 buckets
        assertEquals(Resolution.MINUTE, UsageAdminService.range(null, Long.toString(now - 30 * HOUR), null, now).step());
        assertEquals(Resolution.HOUR, UsageAdminService.range(null, Long.toString(now - 40 * HOUR),
                Long.toString(now), now).step(), "2400 minutes is too many");
        assertEquals(Resolution.HOUR, UsageAdminService.range(null, "2026-03-01T00:00:00Z", null, now).step());
        assertEquals(Resolution.DAY, UsageAdminService.range(null, "2025-12-01T00:00:00Z", null, now).step(),
                "hours are kept 90 days only");
        assertEquals(Resolution.HOUR, UsageAdminService.range(null, Long.toString(now - 3 * DAY),
                Long.toString(now - 3 * DAY + HOUR), now).step(), "minutes older than 48 h are not kept");

        assertEquals("from", assertThrows(UsageAdminService.BadParam.class,
                () -> UsageAdminService.range(null, "yesterday", null, now)).param());
        assertEquals("to", assertThrows(UsageAdminService.BadParam.class,
                () -> UsageAdminService.range(null, "1000", "500", now)).param());
        assertEquals("to", assertThrows(UsageAdminService.BadParam.class,
                () -> UsageAdminService.range(null, "1000", "2026-13-01T00:00:00Z", now)).param());
        assertEquals("from", assertThrows(UsageAdminService.BadParam.class,
                () -> UsageAdminService.range(null, null, "1000", now)).param());
        assertEquals("window", assertThrows(UsageAdminService.BadParam.class,
                () -> UsageAdminService.range("2d", null, null, now)).param());
    }

    @Test
    void settingsDefaultNextToTheConfigAndNameABadValue() {
        UsageSettings d = UsageSettings.from(k -> null, "/data/config.json");
        assertEquals(Path.of("/data/usage-history.json.gz"), d.file());
        assertEquals(60_000, d.snapshotMillis());
        assertEquals(5_000, d.flushMillis());
        UsageSettings t = UsageSettings.from(Map.of("USAGE_HISTORY_FILE", "/x/u.gz", "USAGE_SNAPSHOT_INTERVAL_MS", "10",
                "USAGE_FLUSH_INTERVAL_MS", "200")::get, "/data/config.json");
        assertEquals(new UsageSettings(Path.of("/x/u.gz"), 10, 200), t);
        String m = assertThrows(IllegalArgumentException.class, () -> UsageSettings.from(
                Map.of("USAGE_SNAPSHOT_INTERVAL_MS", "120000")::get, "c.json")).getMessage();
        assertTrue(m.contains("USAGE_SNAPSHOT_INTERVAL_MS") && m.contains("60000"), m);
        m = assertThrows(IllegalArgumentException.class, () -> UsageSettings.from(
                Map.of("USAGE_FLUSH_INTERVAL_MS", "soon")::get, "c.json")).getMessage();
        assertTrue(m.contains("USAGE_FLUSH_INTERVAL_MS"), m);
    }

    @Test
    void renderedMetricsFollowTheContract() {
        UsageCell c = new UsageCell();
        c.add(event(T0, "m", "k", 200, null, 10, 4));
        c.add(new UsageEvent(T0, "m", "k", "u", "d", 200, null, 1, 0, 1, 0, -1, 12, -1));
        var n = UsageAdminService.metrics(new ObjectMapper(), c);
        assertEquals(2, n.get("requests").asLong());
        assertEquals(1.5e-6, n.get("cost").asDouble(), 1e-12, "the priced request's cost");
        assertEquals(10.0, n.at("/latencyMs/p50").asDouble());
        assertEquals(12.0, n.at("/latencyMs/p99").asDouble(), "1 ms buckets below 16 ms: exact");
        assertEquals(4.0, n.at("/ttftMs/p95").asDouble());
        UsageCell unpriced = new UsageCell();
        unpriced.add(new UsageEvent(T0, "m", "k", "u", "d", 200, null, 1, 0, 1, 0, -1, 12, -1));
        var u = UsageAdminService.metrics(new ObjectMapper(), unpriced);
        assertTrue(u.get("cost").isNull(), "no pricing: cost null");
        assertTrue(u.at("/ttftMs/p50").isNull());
    }

    /** A fleet store in memory that can be made to fail, remembering batch ids like the Redis script. */
    static final class FakeFleet implements FleetStore {
        final UsageHistory data = new UsageHistory();
        final java.util.Set<String> batches = new java.util.HashSet<>();
        final List<String> calls = new ArrayList<>();
        boolean failAdd;
        boolean failAfterApply;
        boolean failRead;

        @Override
        public synchronized void add(String batchId, Map<Long, Map<Dims, UsageCell>> minutes) {
            calls.add(batchId);
            if (failAdd) {
                throw new IllegalStateException("down");
            }
            if (batches.add(batchId)) {
                Map<Long, Map<Dims, UsageCell>> copy = new TreeMap<>();
                minutes.forEach((m, cells) -> {
                    Map<Dims, UsageCell> c = new java.util.HashMap<>();
                    cells.forEach((d, x) -> c.put(d, x.copy()));
                    copy.put(m, c);
                });
                data.add(copy);
            }
            if (failAfterApply) {
                throw new IllegalStateException("answer lost");
            }
        }

        @Override
        public NavigableMap<Long, Map<Dims, UsageCell>> read(Resolution step, long from, long to) {
            if (failRead) {
                throw new IllegalStateException("down");
            }
            return data.buckets(step).subMap(from, true, to, false);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void redisModeKeepsUnsentUsageAndDeliversItOnceWhenBack() {
        AtomicLong clock = new AtomicLong(T0);
        FakeFleet fleet = new FakeFleet();
        UsageService s = new UsageService(new UsageSettings(dir.resolve("x.gz"), 60_000, 5_000), clock::get,
                x -> fleet);
        s.sharedState(new SharedStateSettings("redis", Secret.of("redis://127.0.0.1:1"), null, null));
        assertEquals("redis", s.mode());
        s.record(event(T0, "m", "k", 200, null, 10, 1));
        UsageReport r = s.query(T0, T0 + HOUR, Resolution.MINUTE, Dims.Dimension.MODEL);
        assertEquals("fleet", r.scope());
        assertEquals(1, r.total().requests());

        fleet.failAdd = true;
        fleet.failRead = true;
        s.record(event(T0 + 1, "m", "k", 200, null, 10, 1));
        clock.addAndGet(6_000);
        s.tick();
        s.record(event(T0 + 2, "m", "k", 200, null, 10, 1));
        clock.addAndGet(6_000);
        s.tick();
        UsageReport local = s.query(T0, T0 + HOUR, Resolution.MINUTE, Dims.Dimension.MODEL);
        assertEquals("replica", local.scope(), "Redis unreadable: this replica's own history");
        assertEquals(3, local.total().requests());

        // Redis applies the batch but the answer is lost: sent again under the same id, counted once
        fleet.failAdd = false;
        fleet.failAfterApply = true;
        clock.addAndGet(6_000);
        s.tick();
        fleet.failAfterApply = false;
        fleet.failRead = false;
        clock.addAndGet(6_000);
        s.tick();
        UsageReport back = s.query(T0, T0 + HOUR, Resolution.MINUTE, Dims.Dimension.MODEL);
        assertEquals("fleet", back.scope());
        assertEquals(3, back.total().requests(), "nothing lost, nothing twice: " + fleet.calls);
        assertFalse(Files.exists(dir.resolve("x.gz")), "no snapshot in Redis mode (replicas may share a volume)");
        s.close();
    }
}
