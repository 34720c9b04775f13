package com.aoaigw.proxy.route;

import com.aoaigw.config.CircuitBreakerSettings;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The breaker's state machine, driven by a fake clock (plain numbers): no sleeps. */
class CircuitBreakerTest {
    private static final CircuitBreakerSettings CB = new CircuitBreakerSettings(3, 0.5, 10_000L, 10, 30_000L);

    @Test
    void opensAfterConsecutiveFailuresThenHalfOpensThenClosesOnASuccessfulProbe() {
        CircuitBreaker b = new CircuitBreaker(CB);
        long t = 1_000_000;
        b.onFailure(t, CB);
        b.onFailure(t + 1, CB);
        assertEquals(CircuitBreaker.State.CLOSED, b.state(t + 2));
        b.onFailure(t + 2, CB);
        assertEquals(CircuitBreaker.State.OPEN, b.state(t + 3));
        assertFalse(b.tryAcquire(t + 3, CB));
        assertFalse(b.available(t + 2 + 29_999, CB));
        // openMs later: half-open, exactly one probe
        long h = t + 2 + 30_000;
        assertEquals(CircuitBreaker.State.HALF_OPEN, b.state(h));
        assertTrue(b.available(h, CB));
        assertTrue(b.tryAcquire(h, CB));
        assertFalse(b.tryAcquire(h, CB));
        assertFalse(b.available(h + 1, CB));
        b.onSuccess(h + 5, CB);
        assertEquals(CircuitBreaker.State.CLOSED, b.state(h + 6));
        assertTrue(b.tryAcquire(h + 6, CB));
        assertTrue(b.tryAcquire(h + 6, CB));
    }

    @Test
    void aFailedProbeOpensTheCircuitAgainForAnotherOpenMs() {
        CircuitBreaker b = new CircuitBreaker(CB);
        long t = 0;
        for (int i = 0; i < 3; i++) {
            b.onFailure(t, CB);
        }
        long h = t + 30_000;
        assertTrue(b.tryAcquire(h, CB));
        b.onFailure(h + 10, CB);
        assertEquals(CircuitBreaker.State.OPEN, b.state(h + 11));
        assertEquals(h + 10 + 30_000, b.openUntil());
        assertFalse(b.tryAcquire(h + 10 + 29_999, CB));
        assertTrue(b.tryAcquire(h + 10 + 30_000, CB));
    }

    @Test
    void aSuccessResetsTheConsecutiveCount() {
        CircuitBreaker b = new CircuitBreaker(CB);
        b.onFailure(0, CB);
        b.onFailure(1, CB);
        b.onSuccess(2, CB);
        b.onFailure(3, CB);
        b.onFailure(4, CB);
        assertEquals(CircuitBreaker.State.CLOSED, b.state(5));
    }

    @Test
    void opensWhenTheFailureRatioOverTheWindowIsExceededWithEnoughCalls() {
        CircuitBreakerSettings cb = new CircuitBreakerSettings(100, 0.5, 10_000L, 10, 30_000L);
        CircuitBreaker b = new CircuitBreaker(cb);
        // alternate success/failure: ratio 0.5 is not above 0.5
        for (int i = 0; i < 10; i++) {
            if (i % 2 == 0) {
                b.onFailure(i * 100L, cb);
            } else {
                b.onSuccess(i * 100L, cb);
            }
        }
        assertEquals(CircuitBreaker.State.CLOSED, b.state(1000));
        // one more failure: 6 of 11
        b.onFailure(1100, cb);
        assertEquals(CircuitBreaker.State.OPEN, b.state(1101));
    }

    @Test
    void theRatioRuleNeedsMinRequestsAndForgetsCallsOutsideTheWindow() {
        CircuitBreakerSettings cb = new CircuitBreakerSettings(100, 0.5, 10_000L, 4, 30_000L);
        CircuitBreaker b = new CircuitBreaker(cb);
        b.onFailure(0, cb);
        b.onFailure(1, cb);
        b.onFailure(2, cb);
        assertEquals(CircuitBreaker.State.CLOSED, b.state(3), "3 calls are below minRequests");
        // the window moves on: those three failures are out of it, and 3 fresh successes + 1 failure is 25 %
        b.onSuccess(20_000, cb);
        b.onSuccess(20_001, cb);
        b.onSuccess(20_002, cb);
        b.onFailure(20_003, cb);
        assertEquals(CircuitBreaker.State.CLOSED, b.state(20_004));
    }

    @Test
    void aLostProbeIsGivenUpAfterOpenMsAndAReleasedOneAtOnce() {
        CircuitBreaker b = new CircuitBreaker(CB);
        for (int i = 0; i < 3; i++) {
            b.onFailure(0, CB);
        }
        assertTrue(b.tryAcquire(30_000, CB));
        assertFalse(b.tryAcquire(30_001, CB));
        assertTrue(b.tryAcquire(60_000, CB), "a probe that never reported is not held for ever");
        b.release();
        assertTrue(b.tryAcquire(60_001, CB));
    }
}
