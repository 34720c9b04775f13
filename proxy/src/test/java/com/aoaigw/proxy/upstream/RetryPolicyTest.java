package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import com.aoaigw.config.UpstreamSettings;

class RetryPolicyTest {
    private static RetryPolicy policy(int maxRetries) {
        return new RetryPolicy(new UpstreamSettings(null, 10_000L, null, null, maxRetries, 100L, 1000L, List.of(503),
                2000L, null, null, null, null, null));
    }

    @Test
    void statuses() {
        RetryPolicy p = policy(2);
        assertTrue(p.retryableStatus(429));
        assertTrue(p.retryableStatus(503));
        assertFalse(p.retryableStatus(500));
        assertFalse(p.retryableStatus(400));
    }

    @Test
    void exponentialBackoffWithCappedJitter() {
        RetryPolicy p = policy(5);
        assertEquals(100, p.backoffMs(1, () -> 0.0));
        assertEquals(200, p.backoffMs(2, () -> 0.0));
        assertEquals(400 + 99, p.backoffMs(3, () -> 0.999));
        assertEquals(1000, p.backoffMs(5, () -> 0.999));
    }

    @Test
    void retryAfterIsHonouredAndCapped() {
        RetryPolicy p = policy(2);
        assertEquals(OptionalLong.of(700), p.delay(0, OptionalLong.of(700), 10_000, () -> 0.5));
        assertEquals(OptionalLong.of(2000), p.delay(0, OptionalLong.of(60_000), 10_000, () -> 0.5));
        // the wait does not fit the remaining budget: no retry, the answer goes to the client
        assertEquals(OptionalLong.empty(), p.delay(0, OptionalLong.of(1500), 1000, () -> 0.5));
        assertEquals(OptionalLong.empty(), p.delay(2, OptionalLong.of(10), 10_000, () -> 0.5));
    }

    @Test
    void retryAfterHeaders() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertEquals(OptionalLong.of(1234), RetryPolicy.retryAfterMs(Map.of("retry-after-ms", "1234", "retry-after", "9")::get, now));
        assertEquals(OptionalLong.of(50), RetryPolicy.retryAfterMs(Map.of("x-ms-retry-after-ms", "50")::get, now));
        assertEquals(OptionalLong.of(6000), RetryPolicy.retryAfterMs(Map.of("retry-after", "6")::get, now));
        assertEquals(OptionalLong.of(3000), RetryPolicy.retryAfterMs(Map.of("retry-after", "Thu, 01 Jan 2026 00:00:03 GMT")::get, now));
        assertEquals(OptionalLong.empty(), RetryPolicy.retryAfterMs(Map.<String, String>of()::get, now));
    }
}
