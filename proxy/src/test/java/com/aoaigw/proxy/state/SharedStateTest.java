package com.aoaigw.proxy.state;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same window, period and slot rules on both implementations: in-process and a real redis-server (with a
 * password). Time is passed explicitly, so every case runs on a fake clock, Redis included.
 */
@Timeout(60)
class SharedStateTest {
    /**
     * 2036-12-05T10:00:00Z: a whole minute (so the clock-minute boundary is easy to cross), and in the future: Redis
     * expires period counters at their real reset time (plus a day), so a test time in the past would see its
     * counters vanish as soon as the wall clock passes it.
     */
    private static final long T0 = 2_112_084_000_000L;
    private static RedisProcess redis;
    private static RedisSharedState redisState;
    private static int run;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start("test-pass");
        redisState = new RedisSharedState(redis.url(), "t:", false, false);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redisState.close();
        redis.close();
    }

    static Stream<String> states() {
        return Stream.of("local", "redis");
    }

    private static SharedState state(String kind) {
        return kind.equals("local") ? new LocalSharedState() : redisState;
    }

    /** A key of its own per test run, so the Redis cases do not see each other. */
    private static synchronized String key(String name) {
        return name + ":" + (++run);
    }

    @ParameterizedTest
    @MethodSource("states")
    void aSlidingWindowNeverAdmitsTwiceTheLimitAcrossAMinuteBoundary(String kind) {
        SharedState s = state(kind);
        String k = key("rpm");
        List<Check> one = List.of(new Check.Window(k, 60, 1));
        // 60 requests in the last half second of a clock minute
        for (int i = 0; i < 60; i++) {
            assertTrue(s.admit(T0 + 59_500 + i, one).admitted(), "request " + i);
        }
        // just after the clock minute: a fixed window would start again at 0; the sliding one still holds 60
        Admission refused = s.admit(T0 + 60_100, one);
        assertFalse(refused.admitted());
        assertEquals(0, refused.refused());
        assertEquals(60, refused.used()[0]);
        // the bucket of second 59 leaves the window once the clock passes second 119 (at most 61 s after it)
        assertEquals(T0 + 120_000 - (T0 + 60_100), refused.retryMs());
        assertFalse(s.admit(T0 + 119_999, one).admitted());
        Admission again = s.admit(T0 + 120_000, one);
        assertTrue(again.admitted());
        assertEquals(1, again.used()[0]);
    }

    @ParameterizedTest
    @MethodSource("states")
    void aTokenWindowReservesTheEstimateAndTheChargeReplacesIt(String kind) {
        SharedState s = state(kind);
        String k = key("tpm");
        Admission a = s.admit(T0, List.of(new Check.Window(k, 1000, 300)));
        assertTrue(a.admitted());
        assertEquals(300, a.used()[0]);
        assertEquals(61_000, a.resetMs()[0]);
        // the answer used 900 tokens: the window holds 900, and a 200-token prompt no longer fits
        s.charge(T0 + 2000, List.of(new Adjust.Window(k, T0, 300, 900)));
        assertArrayEquals(new long[] {900}, s.read(T0 + 2000, List.of(new Check.Window(k, 1000, 0))));
        Admission no = s.admit(T0 + 3000, List.of(new Check.Window(k, 1000, 200)));
        assertFalse(no.admitted());
        assertEquals(T0 + 61_000 - (T0 + 3000), no.retryMs());
        // a prompt larger than the whole limit never fits: the wait is a full window
        assertEquals(60_000, s.admit(T0 + 3000, List.of(new Check.Window(k, 1000, 5000))).retryMs());
        // a stream that outlived the window: its reservation is gone, so the whole actual amount lands now
        String k2 = key("tpm-long");
        s.admit(T0, List.of(new Check.Window(k2, 1000, 100)));
        s.charge(T0 + 90_000, List.of(new Adjust.Window(k2, T0, 100, 700)));
        assertArrayEquals(new long[] {700}, s.read(T0 + 90_000, List.of(new Check.Window(k2, 1000, 0))));
    }

    @ParameterizedTest
    @MethodSource("states")
    void aRefusedAdmissionReservesNothing(String kind) {
        SharedState s = state(kind);
        String a = key("a");
        String b = key("b");
        List<Check> both = List.of(new Check.Window(a, 10, 1), new Check.Window(b, 1, 1));
        assertTrue(s.admit(T0, both).admitted());
        Admission no = s.admit(T0 + 1, both);
        assertEquals(1, no.refused());
        assertArrayEquals(new long[] {1, 1}, s.read(T0 + 2, both));
    }

    @ParameterizedTest
    @MethodSource("states")
    void periodCountersHoldUntilTheyAreFull(String kind) {
        SharedState s = state(kind);
        String day = key("tpd:20261206");
        long endOfDay = T0 + 14 * 3_600_000L;
        assertTrue(s.admit(T0, List.of(new Check.Period(day, 1000, 400, endOfDay))).admitted());
        // the exchange used 950: the day is nearly full, and a 100-token prompt does not fit
        s.charge(T0, List.of(new Adjust.Period(day, 550, endOfDay)));
        Admission no = s.admit(T0 + 1000, List.of(new Check.Period(day, 1000, 100, endOfDay)));
        assertFalse(no.admitted());
        assertEquals(950, no.used()[0]);
        assertEquals(endOfDay - T0 - 1000, no.retryMs());
        // a budget check reserves nothing (amount 0) and refuses only once spent reaches the limit
        String budget = key("cost:202612");
        s.charge(T0, List.of(new Adjust.Period(budget, 999, endOfDay)));
        assertTrue(s.admit(T0, List.of(new Check.Period(budget, 1000, 0, endOfDay))).admitted());
        s.charge(T0, List.of(new Adjust.Period(budget, 1, endOfDay)));
        assertFalse(s.admit(T0, List.of(new Check.Period(budget, 1000, 0, endOfDay))).admitted());
        // a refund never takes a counter below zero
        s.charge(T0, List.of(new Adjust.Period(budget, -5000, endOfDay)));
        assertArrayEquals(new long[] {0}, s.read(T0, List.of(new Check.Period(budget, 1000, 0, endOfDay))));
    }

    @ParameterizedTest
    @MethodSource("states")
    void slotsAreHeldUntilReleasedOrTheLeaseEnds(String kind) {
        SharedState s = state(kind);
        String k = key("conc");
        assertTrue(s.admit(T0, List.of(new Check.Slot(k, 2, "r1", 10_000))).admitted());
        assertTrue(s.admit(T0, List.of(new Check.Slot(k, 2, "r2", 10_000))).admitted());
        assertFalse(s.admit(T0, List.of(new Check.Slot(k, 2, "r3", 10_000))).admitted());
        s.charge(T0 + 5, List.of(new Adjust.Release(k, "r1")));
        assertTrue(s.admit(T0 + 10, List.of(new Check.Slot(k, 2, "r3", 10_000))).admitted());
        assertFalse(s.admit(T0 + 20, List.of(new Check.Slot(k, 2, "r4", 10_000))).admitted());
        // r2 was never released (its replica died): its lease ends 10 s after it was taken
        assertTrue(s.admit(T0 + 10_001, List.of(new Check.Slot(k, 2, "r4", 10_000))).admitted());
    }

    /**
     * Redis keeps a running total per window and drops only the buckets that left it since the last call; a long
     * random run of admissions and charges, with pauses shorter and longer than a window, must give exactly the
     * answers of the in-process state (used, reset, retry-after, refusals).
     */
    @org.junit.jupiter.api.Test
    void redisWindowsGiveTheSameAnswersAsLocalOverALongRun() {
        SharedState local = new LocalSharedState();
        String rpm = key("run-rpm");
        String tpm = key("run-tpm");
        java.util.Random rnd = new java.util.Random(16);
        long t = T0 + 123;
        List<long[]> open = new java.util.ArrayList<>();
        for (int step = 0; step < 3000; step++) {
            int pause = rnd.nextInt(100);
            t += pause < 90 ? rnd.nextInt(400) : pause < 98 ? rnd.nextInt(5000) : 61_000 + rnd.nextInt(70_000);
            if (!open.isEmpty() && rnd.nextInt(3) == 0) {
                long[] o = open.remove(rnd.nextInt(open.size()));
                List<Adjust> end = List.of(new Adjust.Window(tpm, o[0], o[1], rnd.nextInt(3) == 0 ? 0
                        : rnd.nextInt(900)));
                local.charge(t, end);
                redisState.charge(t, end);
                continue;
            }
            long estimate = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(400);
            List<Check> checks = List.of(new Check.Window(rpm, 40, 1), new Check.Window(tpm, 6000, estimate));
            Admission a = local.admit(t, checks);
            Admission b = redisState.admit(t, checks);
            String at = "step " + step + " at +" + (t - T0);
            assertEquals(a.refused(), b.refused(), at);
            assertArrayEquals(a.used(), b.used(), at);
            assertArrayEquals(a.resetMs(), b.resetMs(), at);
            assertEquals(a.retryMs(), b.retryMs(), at);
            if (a.admitted()) {
                open.add(new long[] {t, estimate});
            }
            assertArrayEquals(local.read(t, checks), redisState.read(t, checks), at);
        }
    }

    /**
     * Under load admissions are sent to Redis in groups (one script call for all that queued while a call was on its
     * way): each must get its own answer, and a shared limit still admits exactly its number.
     */
    @org.junit.jupiter.api.Test
    void concurrentAdmissionsEachGetTheirOwnAnswerAndTheLimitHolds() throws Exception {
        String shared = key("group-shared");
        int threads = 16;
        int each = 60;
        java.util.Set<Long> sharedUsed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicInteger admitted = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> ts = new java.util.ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < threads; t++) {
            String own = key("group-own");
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    long mine = 0;
                    for (int i = 1; i <= each; i++) {
                        List<Check> checks = List.of(new Check.Window(own, 1000, 1),
                                new Check.Window(shared, 500, 1),
                                new Check.Period(own + ":d", 10_000, 3, T0 + 86_400_000L));
                        Admission a = redisState.admit(T0 + 1000, checks);
                        if (a.admitted()) {
                            admitted.incrementAndGet();
                            sharedUsed.add(a.used()[1]);
                            // this thread's own window and counter hold only its own admissions, in order
                            mine++;
                            assertEquals(mine, a.used()[0]);
                            assertEquals(3 * mine, a.used()[2]);
                        } else {
                            assertEquals(1, a.refused());
                            assertEquals(500, a.used()[1]);
                        }
                        redisState.charge(T0 + 1000, List.of(new Adjust.Period(own + ":d", 0, T0 + 86_400_000L)));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(List.of(), errors);
        assertEquals(500, admitted.get());
        assertEquals(500, sharedUsed.size());
        assertEquals(1, java.util.Collections.min(sharedUsed));
        assertEquals(500, java.util.Collections.max(sharedUsed));
    }

    /**
     * Charges that queue while a call is on its way go together, merged per key where that changes nothing
     * (additions to a counter or a bucket, slot releases); refunds are applied in their place. After many requests
     * at once, every counter holds exactly the sum of what was charged and every slot is free.
     */
    @org.junit.jupiter.api.Test
    void chargesSentTogetherAddUpExactly() throws Exception {
        String day = key("merge-day");
        String tpm = key("merge-tpm");
        String conc = key("merge-conc");
        long now = T0 + 5000;
        long end = T0 + 86_400_000L;
        java.util.concurrent.atomic.AtomicLong total = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> ts = new java.util.ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        for (int t = 0; t < 16; t++) {
            int id = t;
            ts.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 40; i++) {
                        String holder = "h" + id + "-" + i;
                        Admission a = redisState.admit(now, List.of(new Check.Period(day, 1_000_000, 10, end),
                                new Check.Window(tpm, 1_000_000, 10), new Check.Slot(conc, 100, holder, 60_000)));
                        assertTrue(a.admitted());
                        long actual = i % 5 == 0 ? 4 : 25 + id;
                        total.addAndGet(actual);
                        redisState.charge(now, List.of(new Adjust.Window(tpm, now, 10, actual),
                                new Adjust.Period(day, actual - 10, end), new Adjust.Release(conc, holder)));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(List.of(), errors);
        long[] held = redisState.read(now, List.of(new Check.Period(day, 0, 0, end), new Check.Window(tpm, 0, 0),
                new Check.Slot(conc, 0, "", 0)));
        assertArrayEquals(new long[] {total.get(), total.get(), 0}, held);
    }

    /**
     * A charge is sent without waiting for its answer (or rides along with the next call), yet the replica's next
     * admission always sees it: a token window admits no more than the limit allows, request after request.
     */
    @org.junit.jupiter.api.Test
    void aChargeIsSeenByTheSameReplicasNextAdmission() {
        String tpm = key("turns-tpm");
        long now = T0 + 7000;
        int admitted = 0;
        for (int i = 0; i < 40; i++) {
            Admission a = redisState.admit(now, List.of(new Check.Window(tpm, 3000, 2)));
            if (a.admitted()) {
                admitted++;
                redisState.charge(now, List.of(new Adjust.Window(tpm, now, 2, 152)));
            }
        }
        // 19 answers of 152 fit in 3000 (2888), the 20th is admitted with 2888 + 2 and the 21st no longer
        assertEquals(20, admitted);
    }

    /**
     * Admissions that go to Redis in one call reserve counters and slots through the call's own running counts
     * (written once per key at its end): sixteen at once still get exactly what the limits allow.
     */
    @org.junit.jupiter.api.Test
    void admissionsSentTogetherTakeExactlyTheRoomThereIs() throws Exception {
        String day = key("together-day");
        String conc = key("together-conc");
        String conc2 = key("together-conc2");
        long now = T0 + 9000;
        long end = T0 + 86_400_000L;
        java.util.concurrent.atomic.AtomicInteger first = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger second = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> ts = new java.util.ArrayList<>();
        for (int t = 0; t < 16; t++) {
            String holder = "h" + t;
            ts.add(Thread.ofVirtual().start(() -> {
                // the day counter has room for 5 of 10 tokens, the slots for 8
                if (redisState.admit(now, List.of(new Check.Period(day, 55, 10, end),
                        new Check.Slot(conc, 8, holder, 60_000))).admitted()) {
                    first.incrementAndGet();
                }
                if (redisState.admit(now, List.of(new Check.Slot(conc2, 8, holder, 60_000))).admitted()) {
                    second.incrementAndGet();
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(5, first.get());
        assertEquals(8, second.get());
        assertArrayEquals(new long[] {50, 5, 8}, redisState.read(now, List.of(new Check.Period(day, 0, 0, end),
                new Check.Slot(conc, 0, "", 0), new Check.Slot(conc2, 0, "", 0))));
        // the leases end (their replicas died): a later admission finds a place
        assertTrue(redisState.admit(now + 60_001, List.of(new Check.Slot(conc2, 8, "late", 60_000))).admitted());
    }
}
