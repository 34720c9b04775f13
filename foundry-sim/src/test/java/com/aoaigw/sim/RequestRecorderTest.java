package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The recorder's bounds. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class RequestRecorderTest {

    private static RecordedRequest request(int i, int bodyChars) {
        return new RecordedRequest("POST", "/openai/v1/chat/completions", "", Map.of("n", java.util.List.of("" + i)),
                "x".repeat(bodyChars));
    }

    @Test
    void keepsTheNewestThousand() {
        RequestRecorder r = new RequestRecorder();
        for (int i = 0; i < RequestRecorder.LIMIT + 5; i++) {
            r.dataPlane(request(i, 1));
        }
        assertEquals(RequestRecorder.LIMIT, r.requests().size());
        assertEquals("5", r.requests().getFirst().header("n"));
        assertEquals(RequestRecorder.LIMIT + 5, r.stats().requests(), "the counter counts everything");
    }

    @Test
    void dropsOldBodiesBeyondTheTotal() {
        RequestRecorder r = new RequestRecorder();
        int big = (int) (RequestRecorder.TOTAL_BODY_LIMIT / 4);
        for (int i = 0; i < 6; i++) {
            r.dataPlane(request(i, big));
        }
        assertEquals(4, r.requests().size());
        assertEquals("2", r.requests().getFirst().header("n"));
        r.clear();
        assertTrue(r.requests().isEmpty());
        assertEquals(0, r.stats().requests());
    }
}
