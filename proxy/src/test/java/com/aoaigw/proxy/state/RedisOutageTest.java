package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real redis-server killed and restarted under a {@link RedisSharedState}: local fallback, reject, re-sync. */
@Timeout(120)
class RedisOutageTest {
    /**
     * 2036-12-05T10:00:00Z, a fixed time in the future: Redis expires period counters at their real reset time (plus
     * a day), so a test time in the past would see its counters vanish as soon as the wall clock passes it.
     */
    private static final long T0 = 2_112_084_000_000L;
    private static final long END = T0 + 3_600_000L;

    @Test
    void localModeKeepsCountingAloneAndAddsTheOutageToRedisWhenItIsBack() throws Exception {
        try (RedisProcess redis = RedisProcess.start(null);
             RedisSharedState s = new RedisSharedState(redis.url(), "o:", false)) {
            List<Check> day = List.of(new Check.Period("tok", 1000, 100, END));
            assertTrue(s.admit(T0, day).admitted());
            assertTrue(s.up());
            redis.kill();
            // the first call after the crash notices it and is answered locally, starting from Redis's last value
            Admission a = s.admit(T0 + 1, day);
            assertTrue(a.admitted());
            assertFalse(s.up());
            assertEquals(200, a.used()[0]);
            s.charge(T0 + 2, List.of(new Adjust.Period("tok", 300, END)));
            redis.startProcess();
            // Redis came back empty (no persistence): the outage's counts (100 reserved + 300 charged) are added
            waitUp(s);
            assertArrayEquals(new long[] {400}, s.read(T0 + 3, day));
        }
    }

    @Test
    void rejectModeRefusesWhileRedisIsDownAndRecovers() throws Exception {
        try (RedisProcess redis = RedisProcess.start(null);
             RedisSharedState s = new RedisSharedState(redis.url(), "o:", true)) {
            List<Check> rpm = List.of(new Check.Window("rpm", 10, 1));
            assertTrue(s.admit(T0, rpm).admitted());
            redis.kill();
            assertThrows(StateUnavailableException.class, () -> s.admit(T0 + 1, rpm));
            assertFalse(s.up());
            redis.startProcess();
            waitUp(s);
            assertTrue(s.admit(T0 + 2, rpm).admitted());
        }
    }

    @Test
    void aRedisThatIsNotThereAtStartIsUsedOnceItAppears() throws Exception {
        try (RedisProcess redis = RedisProcess.start(null)) {
            redis.kill();
            try (RedisSharedState s = new RedisSharedState(redis.url(), "o:", false)) {
                assertFalse(s.up());
                assertTrue(s.admit(T0, List.of(new Check.Window("w", 1, 1))).admitted());
                redis.startProcess();
                waitUp(s);
                assertArrayEquals(new long[] {0}, s.read(T0, List.of(new Check.Window("w", 1, 0))));
            }
        }
    }

    private static void waitUp(SharedState s) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!s.up() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(s.up(), "Redis was not used again within 30 s");
    }
}
