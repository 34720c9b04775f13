package com.aoaigw.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The sliding one-minute windows, driven by plain timestamps. */
class CapacityMeterTest {
    @Test
    void requestsPerMinuteSlideAndTheRetryAfterIsWhenTheOldestLeaves() {
        CapacityMeter m = new CapacityMeter();
        Capacity c = new Capacity(3, 0, true);
        assertTrue(m.admit("d", c, 10, 1_000).admitted());
        assertTrue(m.admit("d", c, 10, 2_000).admitted());
        CapacityMeter.Decision third = m.admit("d", c, 10, 3_000);
        assertTrue(third.admitted());
        assertEquals(0, third.remainingRequests());
        assertEquals(100.0, third.utilisation());
        CapacityMeter.Decision full = m.admit("d", c, 10, 4_000);
        assertFalse(full.admitted());
        assertEquals(1_000 + 60_000 - 4_000, full.retryAfterMs());
        assertTrue(m.admit("d", c, 10, 61_000).admitted(), "the first request left the window");
        assertFalse(m.admit("d", c, 10, 61_001).admitted());
    }

    @Test
    void tokensPerMinuteRefuseWhenTheEstimateDoesNotFit() {
        CapacityMeter m = new CapacityMeter();
        Capacity c = new Capacity(0, 100, false);
        CapacityMeter.Decision a = m.admit("d", c, 60, 0);
        assertTrue(a.admitted());
        assertEquals(40, a.remainingTokens());
        assertEquals(-1, a.remainingRequests());
        assertEquals(60.0, a.utilisation());
        assertTrue(m.admit("d", c, 30, 10).admitted());
        CapacityMeter.Decision refused = m.admit("d", c, 30, 20);
        assertFalse(refused.admitted());
        assertEquals(60_000 - 20, refused.retryAfterMs(), "fits once the 60-token request left");
        // deployments are counted apart
        assertTrue(m.admit("other", c, 30, 20).admitted());
    }

    @Test
    void aSingleRequestLargerThanTheTokenLimitIsStillAdmittedIntoAnEmptyWindow() {
        CapacityMeter m = new CapacityMeter();
        assertTrue(m.admit("d", new Capacity(0, 10, false), 50, 0).admitted());
    }
}
