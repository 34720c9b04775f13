package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class BoundedMemoTest {
    @Test
    void computesOnceUpToTheLimitThenEveryTime() {
        AtomicInteger calls = new AtomicInteger();
        BoundedMemo<String, Integer> m = new BoundedMemo<>(2, k -> {
            calls.incrementAndGet();
            return k.length();
        });
        assertEquals(1, m.get("a"));
        assertEquals(1, m.get("a"));
        assertEquals(2, m.get("bb"));
        assertEquals(2, calls.get(), "kept while under the limit");
        assertEquals(3, m.get("ccc"));
        assertEquals(3, m.get("ccc"));
        assertEquals(4, calls.get(), "past the limit the value is computed each time");
        m.clear();
        m.get("a");
        assertEquals(5, calls.get(), "forgotten after clear");
    }
}
