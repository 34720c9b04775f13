package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console store's rules on both implementations (in-process, and two stores on one real redis-server standing
 * for two replicas): sessions live until removed or expired and a replace never brings a removed one back; the
 * throttle's check and record are one step, counted across replicas; heartbeats expire.
 */
@Timeout(60)
class ConsoleStoreTest {
    private static final long T0 = 1_796_464_800_000L;
    private static final long[] DELAYS = {0, 0, 1000, 2000, 900_000};
    private static final long FORGET = 900_000;
    private static RedisProcess redis;
    private static RedisConsoleStore a;
    private static RedisConsoleStore b;
    private static int run;

    @BeforeAll
    static void startRedis() throws Exception {
        redis = RedisProcess.start("console-pass");
        a = new RedisConsoleStore(redis.url(), "c:");
        b = new RedisConsoleStore(redis.url(), "c:");
        RedisProcess.awaitUp(a::up, b::up);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        a.close();
        b.close();
        redis.close();
    }

    static Stream<String> kinds() {
        return Stream.of("local", "redis");
    }

    /** Two stores: the same one twice in local mode, two replicas' stores on one Redis in redis mode. */
    private static ConsoleStore[] pair(String kind) {
        if (kind.equals("local")) {
            LocalConsoleStore l = new LocalConsoleStore();
            return new ConsoleStore[] {l, l};
        }
        return new ConsoleStore[] {a, b};
    }

    private static synchronized String unique(String name) {
        return name + "-" + (++run);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aSessionIsSeenEverywhereAndARemovedOneNeverComesBack(String kind) {
        ConsoleStore[] s = pair(kind);
        String h = unique("hash");
        s[0].putSession(h, "v1", 60_000);
        assertEquals(Optional.of("v1"), s[1].session(h));
        assertTrue(s[1].replaceSession(h, "v2", 60_000));
        assertEquals(Optional.of("v2"), s[0].session(h));
        s[0].removeSession(h);
        assertEquals(Optional.empty(), s[1].session(h));
        assertFalse(s[1].replaceSession(h, "v3", 60_000), "a late touch must not undo a logout");
        assertEquals(Optional.empty(), s[0].session(h));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void clearEndsEverySession(String kind) {
        ConsoleStore[] s = pair(kind);
        String h1 = unique("hash");
        String h2 = unique("hash");
        s[0].putSession(h1, "x", 60_000);
        s[1].putSession(h2, "y", 60_000);
        s[1].clearSessions();
        assertEquals(Optional.empty(), s[0].session(h1));
        assertEquals(Optional.empty(), s[0].session(h2));
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void theThrottleCountsAttemptsOnEitherReplicaTogether(String kind) {
        ConsoleStore[] s = pair(kind);
        List<String> subj = List.of(unique("ip:1.2.3.4"));
        // two free failures (delay 0), the third blocks for 1 s, the fourth for 2 s
        assertEquals(0, s[0].acquire(T0, subj, DELAYS, FORGET));
        assertEquals(0, s[1].acquire(T0, subj, DELAYS, FORGET));
        assertEquals(0, s[0].acquire(T0, subj, DELAYS, FORGET));
        assertEquals(1000, s[1].acquire(T0, subj, DELAYS, FORGET), "third failure: blocked 1 s on the other replica");
        assertEquals(1000, s[0].blocked(T0, subj, FORGET));
        assertEquals(0, s[1].acquire(T0 + 1000, subj, DELAYS, FORGET));
        assertEquals(2000, s[0].blocked(T0 + 1000, subj, FORGET));
        assertEquals(4, s[1].failures(T0 + 1000, subj.get(0), FORGET).orElseThrow().count());
        s[0].forget(subj);
        assertEquals(0, s[1].blocked(T0 + 1000, subj, FORGET));
        assertEquals(Optional.empty(), s[1].failures(T0 + 1000, subj.get(0), FORGET));
        // failures are forgotten after the forget time (and once no block runs)
        s[0].fail(T0, subj, DELAYS, FORGET);
        assertEquals(1, s[1].failures(T0 + FORGET, subj.get(0), FORGET).orElseThrow().count());
        assertEquals(Optional.empty(), s[1].failures(T0 + FORGET + 1, subj.get(0), FORGET));
        assertEquals(0, s[1].acquire(T0 + FORGET + 1, subj, DELAYS, FORGET));
        assertEquals(1, s[0].failures(T0 + FORGET + 1, subj.get(0), FORGET).orElseThrow().count(),
                "counting starts again at one");
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void aConcurrentBurstOverTwoReplicasGetsExactlyTheFreeAttempts(String kind) throws Exception {
        ConsoleStore[] s = pair(kind);
        List<String> subj = List.of(unique("ip:9.9.9.9"), unique("ipuser:9.9.9.9|admin"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Long>> tasks = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ConsoleStore one = s[i % 2];
                tasks.add(() -> one.acquire(T0, subj, DELAYS, FORGET));
            }
            int allowed = 0;
            for (Future<Long> f : pool.invokeAll(tasks)) {
                if (f.get() == 0) {
                    allowed++;
                }
            }
            // 2 free failures plus the third, which is evaluated and then blocks the rest
            assertEquals(3, allowed);
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void heartbeatsAreListedUntilTheyExpire(String kind) throws Exception {
        ConsoleStore[] s = pair(kind);
        String r1 = unique("replica");
        String r2 = unique("replica");
        s[0].beat(r1, "{\"id\":\"" + r1 + "\"}", 60_000);
        s[1].beat(r2, "{\"id\":\"" + r2 + "\"}", 300);
        assertTrue(s[0].replicas().containsKey(r2));
        assertEquals("{\"id\":\"" + r1 + "\"}", s[1].replicas().get(r1));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (s[0].replicas().containsKey(r2) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertFalse(s[0].replicas().containsKey(r2), "an expired heartbeat is not listed");
        assertTrue(s[1].replicas().containsKey(r1));
    }

    @Test
    void theLocalStoreKeepsAtMostItsCapOfSessionsDroppingTheOneExpiringFirst() {
        long[] now = {T0};
        LocalConsoleStore l = new LocalConsoleStore(() -> now[0]);
        l.putSession("first", "x", 1000);
        for (int i = 0; i < LocalConsoleStore.MAX_SESSIONS - 1; i++) {
            l.putSession("s" + i, "x", 60_000);
        }
        l.putSession("one-more", "x", 60_000);
        assertEquals(Optional.empty(), l.session("first"));
        assertTrue(l.session("one-more").isPresent());
        now[0] += 60_001;
        assertEquals(Optional.empty(), l.session("one-more"), "expired");
    }

    @Test
    void whileRedisIsDownTheReplicaAnswersAloneAndSharingComesBackWithIt() throws Exception {
        try (RedisProcess r = RedisProcess.start(null);
             RedisConsoleStore one = new RedisConsoleStore(r.url(), "o:");
             RedisConsoleStore two = new RedisConsoleStore(r.url(), "o:")) {
            RedisProcess.awaitUp(one::up, two::up);
            one.putSession("shared", "v", 60_000);
            assertEquals(Optional.of("v"), two.session("shared"));
            r.kill();
            // no exception reaches the caller: the outage is noticed and this process answers alone
            one.putSession("alone", "local", 60_000);
            assertEquals(Optional.of("local"), one.session("alone"));
            assertFalse(one.up());
            List<String> subj = List.of("ip:10.9.9.9");
            assertEquals(0, one.acquire(T0, subj, DELAYS, FORGET));
            assertEquals(1, one.failures(T0, subj.get(0), FORGET).orElseThrow().count());
            r.startProcess();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!one.up() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(one.up(), "shared again once Redis is back");
            one.putSession("again", "x", 60_000);
            long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Optional<String> seen = Optional.empty();
            while (seen.isEmpty() && System.nanoTime() < until) {
                // the other store notices the restart on its own first command (then probes back)
                seen = two.session("again");
                if (seen.isEmpty()) {
                    Thread.sleep(100);
                }
            }
            assertEquals(Optional.of("x"), seen, "the other replica sees sessions made after the return");
        }
    }

    @Test
    void redisHoldsOnlyTheHashOfASessionToken() {
        // the admin package's SessionStore hashes; here: what it hands over is what Redis holds, nothing more
        String h = unique("0123abcd");
        a.putSession(h, "{\"user\":\"admin\"}", 60_000);
        RedisClient c = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            assertEquals("{\"user\":\"admin\"}", conn.sync().get("c:admin:session:" + h));
            assertTrue(conn.sync().pttl("c:admin:session:" + h) > 50_000, "the session key has a time to live");
        } finally {
            c.shutdown();
        }
    }
}
