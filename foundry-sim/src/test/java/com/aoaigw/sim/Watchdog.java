package com.aoaigw.sim;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Test helper: kills a child process after a deadline, so that a blocked read of its output always ends. */
final class Watchdog {
    private Watchdog() {
    }

    /**
     * @param p       the child process
     * @param seconds the deadline
     * @return the process, for chaining
     */
    static Process killAfter(Process p, long seconds) {
        CompletableFuture.runAsync(() -> {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }, CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS));
        return p;
    }
}
