package com.aoaigw.proxy.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Admissions reserved ahead ({@link Grant}) against a real redis-server: a busy set of checks is admitted mostly
 * without a script call, yet nothing is admitted beyond a limit, across two replicas too; charges beyond their
 * reservation stop its use; what is not handed out goes back to Redis.
 */
@Timeout(60)
class ReservedAheadTest {
    /** 2036-12-05T10:00:00Z (see SharedStateTest: Redis expires period counters after their real reset time). */
    private static final long T0 = 2_112_084_000_000L;
    private static final long DAY_END = T0 + 14 * 3_600_000L;
    private static RedisProcess redis;
    private static int run;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start("ahead-pass");
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redis.close();
    }

    private static synchronized String key(String name) {
        return name + ":" + (++run);
    }

    /** @return a replica that reserves ahead, connected (a first connection can time out on a loaded machine) */
    private static RedisSharedState replica() throws InterruptedException {
        RedisSharedState r = new RedisSharedState(redis.url(), "a:", false, true);
        RedisProcess.awaitUp(r::up);
        return r;
    }

    /** @return a request window and a concurrency slot held by {@code holder}, both far from their limits */
    private static List<Check> requestAndSlot(String rpm, String conc, String holder) {
        return List.of(new Check.Window(rpm, 100_000, 1), new Check.Slot(conc, 1000, holder, 60_000));
    }

    @Test
    void aBusySetIsAdmittedMostlyWithoutAScriptCall() throws Exception {
        String rpm = key("busy-rpm");
        String tpm = key("busy-tpm");
        String day = key("busy-day");
        try (RedisSharedState r = replica()) {
            long before = r.calls();
            long now = T0 + 1000;
            for (int i = 1; i <= 1000; i++) {
                now += 1; // 1,000 admissions a second
                Admission a = r.admit(now, List.of(new Check.Window(rpm, 1_000_000, 1),
                        new Check.Window(tpm, 10_000_000, 20), new Check.Period(day, 10_000_000, 20, DAY_END)));
                assertTrue(a.admitted(), "admission " + i);
                // the answer counts this replica's admissions, not what Redis holds for it ahead
                assertArrayEquals(new long[] {i, 20L * i, 20L * i}, a.used(), "admission " + i);
            }
            long calls = r.calls() - before;
            assertTrue(calls < 100, "script calls for 1,000 admissions: " + calls);
            // a read gives the rest back first: Redis holds exactly what was admitted
            assertArrayEquals(new long[] {1000, 20_000, 20_000}, r.read(now, List.of(new Check.Window(rpm, 0, 0),
                    new Check.Window(tpm, 0, 0), new Check.Period(day, 0, 0, DAY_END))));
        }
    }

    @Test
    void twoBusyReplicasAdmitExactlyTheLimitBetweenThem() throws Exception {
        String rpm = key("two-rpm");
        String conc = key("two-conc");
        AtomicInteger admitted = new AtomicInteger();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        try (RedisSharedState a = replica(); RedisSharedState b = replica()) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                RedisSharedState r = t % 2 == 0 ? a : b;
                int id = t;
                ts.add(Thread.ofVirtual().start(() -> {
                    try {
                        int refusedInARow = 0;
                        for (int i = 0; i < 400 && refusedInARow < 3; i++) {
                            Admission x = r.admit(T0 + 2000, List.of(new Check.Window(rpm, 2000, 1),
                                    new Check.Slot(conc, 100_000, "h" + id + "-" + i, 60_000)));
                            if (x.admitted()) {
                                admitted.incrementAndGet();
                                assertTrue(x.used()[0] <= 2000, "used " + x.used()[0]);
                                refusedInARow = 0;
                            } else {
                                assertEquals(0, x.refused());
                                refusedInARow++;
                            }
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
            assertEquals(2000, admitted.get(), "admitted by both replicas with a limit of 2000");
            long[] held = a.read(T0 + 2000, List.of(new Check.Window(rpm, 0, 0)));
            b.read(T0 + 2000, List.of(new Check.Window(rpm, 0, 0)));
            assertEquals(2000, held[0]);
        }
    }

    @Test
    void chargesBeyondTheReservationStopItsUse() throws Exception {
        // the same case as SharedStateTest's aChargeIsSeenByTheSameReplicasNextAdmission, on a replica that reserves
        String tpm = key("excess-tpm");
        long now = T0 + 7000;
        int admitted = 0;
        try (RedisSharedState r = replica()) {
            for (int i = 0; i < 40; i++) {
                Admission a = r.admit(now, List.of(new Check.Window(tpm, 3000, 2)));
                if (a.admitted()) {
                    admitted++;
                    r.charge(now, List.of(new Adjust.Window(tpm, now, 2, 152)));
                }
            }
        }
        assertEquals(20, admitted);
    }

    @Test
    void whatAnOutageCutOffIsGivenBackWhenRedisAnswersAgain() throws Exception {
        String day = key("outage-day");
        String rpm = key("outage-rpm");
        try (RedisProcess own = RedisProcess.start(null);
             RedisSharedState r = new RedisSharedState(own.url(), "o:", false, true)) {
            RedisProcess.awaitUp(r::up);
            long now = T0 + 11_000;
            List<Check> checks = List.of(new Check.Window(rpm, 1_000_000, 1),
                    new Check.Period(day, 1_000_000, 50, DAY_END));
            for (int i = 0; i < 40; i++) {
                assertTrue(r.admit(now + i, checks).admitted());
            }
            // Redis holds the 40 admissions and what is reserved ahead; then it stops answering (its data kept)
            own.pause(true);
            try {
                // a charge of another key gets no answer in time: the outage starts while the reservation is held
                r.charge(now + 50, List.of(new Adjust.Period(key("outage-other"), 5, DAY_END)));
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (r.up() && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertFalse(r.up());
                assertTrue(r.admit(now + 51, checks).admitted()); // counted locally
            } finally {
                own.pause(false);
            }
            RedisProcess.awaitUp(r::up);
            // the reservation went back when Redis answered again, the outage's admission was added: 41 admissions
            assertArrayEquals(new long[] {41 * 50}, r.read(now + 60, List.of(new Check.Period(day, 0, 0, DAY_END))));
        }
    }

    @Test
    void reservedSlotsAreFreedByTheRequestsThatTookThemAndTheRestGoesBack() throws Exception {
        String conc = key("slots");
        String rpm = key("slots-rpm");
        long now = T0 + 9000;
        try (RedisSharedState r = replica()) {
            List<Adjust> ends = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String holder = "req-" + i;
                Admission a = r.admit(now + i, requestAndSlot(rpm, conc, holder));
                assertTrue(a.admitted());
                ends.add(new Adjust.Release(conc, holder));
            }
            assertEquals(50, r.read(now + 60, List.of(new Check.Slot(conc, 0, "", 0)))[0]);
            r.charge(now + 61, ends);
            assertEquals(0, r.read(now + 62, List.of(new Check.Slot(conc, 0, "", 0)))[0]);
            // a reservation whose time is over goes back at the next admission of the set
            for (int i = 0; i < 20; i++) {
                r.admit(now + 100 + i, requestAndSlot(rpm, conc, "late-" + i));
            }
            Admission later = r.admit(now + 100 + Grant.LIFETIME_MS + 500, requestAndSlot(rpm, conc, "last"));
            assertTrue(later.admitted());
            assertEquals(21, later.used()[1], "20 held, the last one: no reserved slot is left over");
        }
    }

    @Test
    void aHeldSlotComesBackToTheReservationInsteadOfToRedis() throws Exception {
        String conc = key("recycle");
        String rpm = key("recycle-rpm");
        long now = T0 + 20_000;
        try (RedisSharedState r = replica()) {
            for (int i = 0; i < 10; i++) { // busy: the set gets a reservation
                String h = "warm-" + i;
                assertTrue(r.admit(now + i, requestAndSlot(rpm, conc, h)).admitted());
                r.charge(now + i, List.of(new Adjust.Release(conc, h)));
            }
            long before = r.calls();
            for (int i = 0; i < 200; i++) {
                String h = "c-" + i;
                Admission a = r.admit(now + 20 + i * 2, requestAndSlot(rpm, conc, h));
                assertTrue(a.admitted(), "admission " + i);
                r.charge(now + 21 + i * 2, List.of(new Adjust.Release(conc, h)));
                Thread.sleep(2); // not a busy replica: a charge that has anything to send goes at once
            }
            // the ends release nothing in Redis, and the reservation's top-ups reserve no more holders: the calls
            // are the top-ups of the request window alone (one ends-release call per request without this)
            long calls = r.calls() - before;
            assertTrue(calls < 40, "script calls for 200 admissions and ends: " + calls);
            // holders handed out again are still counted in Redis while their requests run
            for (int i = 0; i < 5; i++) {
                assertTrue(r.admit(now + 500 + i, requestAndSlot(rpm, conc, "open-" + i)).admitted());
            }
            assertEquals(5, r.read(now + 510, List.of(new Check.Slot(conc, 0, "", 0)))[0],
                    "the 5 open requests; the rest of the reservation went back");
            List<Adjust> ends = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ends.add(new Adjust.Release(conc, "open-" + i));
            }
            r.charge(now + 520, ends);
            assertEquals(0, r.read(now + 530, List.of(new Check.Slot(conc, 0, "", 0)))[0]);
        }
    }

    @Test
    void theReservationCoversWhatChargesAddAndRedisEndsWithExactlyTheActuals() throws Exception {
        String tpm = key("cover-tpm");
        String day = key("cover-day");
        long now = T0 + 30_000;
        try (RedisSharedState r = replica()) {
            long before = 0;
            for (int i = 0; i < 300; i++) {
                if (i == 20) {
                    before = r.calls(); // the set is busy and its reservations know the usual excess by now
                }
                long at = now + i * 3;
                Admission a = r.admit(at, List.of(new Check.Window(tpm, 10_000_000, 20),
                        new Check.Period(day, 10_000_000, 20, DAY_END)));
                assertTrue(a.admitted(), "admission " + i);
                // each request used 50 tokens against its estimate of 20
                r.charge(at + 1, List.of(new Adjust.Window(tpm, at, 20, 50), new Adjust.Period(day, 30, DAY_END)));
                Thread.sleep(2); // not a busy replica: a charge that has anything to send goes at once
            }
            long calls = r.calls() - before;
            // the excess of 30 per request is covered by what the reservations hold (they reserve it ahead), so
            // the charges send nothing; the calls are the reservations' (one call per charge without this)
            assertTrue(calls < 60, "script calls for 280 admissions and charges: " + calls);
            assertArrayEquals(new long[] {300 * 50, 300 * 50}, r.read(now + 1000, List.of(
                    new Check.Window(tpm, 0, 0), new Check.Period(day, 0, 0, DAY_END))));
        }
    }
}
