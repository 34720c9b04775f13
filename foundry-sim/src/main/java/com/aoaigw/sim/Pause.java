package com.aoaigw.sim;

/** Sleeps of the latency model; an interrupted sleep ends early and keeps the interrupt flag. */
final class Pause {
    private Pause() {
    }

    static void millis(long ms) {
        nanos(ms * 1_000_000L);
    }

    static void nanos(long ns) {
        if (ns <= 0) {
            return;
        }
        try {
            Thread.sleep(ns / 1_000_000L, (int) (ns % 1_000_000L));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
