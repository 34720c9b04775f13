package com.aoaigw.proxy.upstream;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Enforces the per-phase upstream timeouts. WebClient's read timeout is per socket read, so it cannot express
 * "time to first byte", "gap between events" or "whole exchange". Instead, while a request thread is blocked
 * reading from the upstream it is "armed" with a deadline; one ticker checks armed watches every 20 ms and
 * interrupts the thread of an expired one. Socket reads of virtual threads are interruptible: the interrupt
 * closes the upstream socket and the read fails, and {@link Watch#expired()} tells which phase ran out.
 *
 * <p>A watch is disarmed while the thread writes to the client, so an interrupt can never hit the client socket.
 */
public final class Watchdog implements AutoCloseable {
    /** The timed phases. */
    public enum Phase {
        /** request sent until the first response byte (headers of a non-stream answer, first stream event). */
        FIRST_BYTE,
        /** the gap between two stream events. */
        IDLE,
        /** the whole exchange. */
        REQUEST,
        /** not a timeout: the client closed its connection while the proxy waited for the upstream. */
        CLIENT_GONE
    }

    /** How often the client connections of waiting requests are checked (every n-th tick). */
    private static final int CLIENT_CHECK_TICKS = 10;
    /** A request is not checked before it has waited this long: most answers come sooner. */
    private static final long CLIENT_CHECK_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final Set<Watch> active = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService ticker;
    private int ticks;

    /** Starts the ticker (one daemon platform thread). */
    public Watchdog() {
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aoaigw-upstream-watchdog");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(this::tick, 20, 20, TimeUnit.MILLISECONDS);
    }

    /**
     * @param requestDeadlineNanos {@link System#nanoTime()} by which the whole exchange must end
     * @return a watch for the current thread; close it when the exchange ends
     */
    public Watch watch(long requestDeadlineNanos) {
        return watch(requestDeadlineNanos, null);
    }

    /**
     * @param requestDeadlineNanos {@link System#nanoTime()} by which the whole exchange must end
     * @param clientGone           true once the client's connection is closed (null: not watched); asked about
     *                             five times a second while the thread waits for the upstream before anything was
     *                             sent to the client, from the ticker thread
     * @return a watch for the current thread; close it when the exchange ends
     */
    public Watch watch(long requestDeadlineNanos, BooleanSupplier clientGone) {
        Watch w = new Watch(Thread.currentThread(), requestDeadlineNanos, clientGone);
        active.add(w);
        return w;
    }

    private void tick() {
        long now = System.nanoTime();
        boolean checkClients = ++ticks % CLIENT_CHECK_TICKS == 0;
        for (Watch w : active) {
            w.check(now);
            if (checkClients) {
                w.checkClient(now);
            }
        }
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }

    /** The deadlines of one exchange. */
    public final class Watch implements AutoCloseable {
        private final Thread thread;
        private final long requestDeadline;
        private final BooleanSupplier clientGone;
        private final long created = System.nanoTime();
        private final ReentrantLock lock = new ReentrantLock();
        private volatile boolean armed;
        private volatile long phaseDeadline;
        private volatile Phase phase;
        private volatile Phase expired;

        private Watch(Thread thread, long requestDeadline, BooleanSupplier clientGone) {
            this.thread = thread;
            this.requestDeadline = requestDeadline;
            this.clientGone = clientGone;
        }

        /**
         * Arms the watch before a blocking upstream read.
         *
         * @param p       the phase
         * @param timeout its limit in ms
         */
        public void arm(Phase p, long timeoutMs) {
            long now = System.nanoTime();
            phase = p;
            phaseDeadline = now + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            armed = true;
            // A deadline that passed while the thread was not reading (writing to the client, or an interrupt that
            // landed just after a read returned and was cleared by disarm) would otherwise never fire again, since
            // the ticker skips expired watches: fail the next read at once instead.
            if (expired != null || now - requestDeadline >= 0) {
                lock.lock();
                try {
                    if (expired == null) {
                        expired = Phase.REQUEST;
                    }
                } finally {
                    lock.unlock();
                }
                thread.interrupt();
            }
        }

        /** Disarms the watch (before writing to the client, or when the read is done). */
        public void disarm() {
            lock.lock();
            try {
                armed = false;
            } finally {
                lock.unlock();
            }
            // an interrupt that raced with the end of the read must not leak into the client write
            // (it would close the client's socket); expired() still reports the phase that ran out
            Thread.interrupted();
        }

        /**
         * Forgets that a first-byte phase ran out, so the request can try another deployment; an exhausted
         * whole-request budget stays.
         *
         * @return true when the watch can be armed again
         */
        public boolean resetFirstByte() {
            lock.lock();
            try {
                if (expired == Phase.FIRST_BYTE) {
                    expired = null;
                }
                return expired == null;
            } finally {
                lock.unlock();
            }
        }

        /** @return the phase that ran out, or null */
        public Phase expired() {
            return expired;
        }

        /** @return ms left of the whole-exchange budget */
        public long remainingMs() {
            return TimeUnit.NANOSECONDS.toMillis(requestDeadline - System.nanoTime());
        }

        private void check(long now) {
            if (!armed || expired != null) {
                return;
            }
            Phase hit = now - requestDeadline >= 0 ? Phase.REQUEST : (now - phaseDeadline >= 0 ? phase : null);
            if (hit == null) {
                return;
            }
            lock.lock();
            try {
                if (armed && expired == null) {
                    expired = hit;
                    thread.interrupt();
                }
            } finally {
                lock.unlock();
            }
        }

        /**
         * Cancels the upstream call of a client that left while the thread waits for Azure's first byte or for the
         * rest of a non-streamed answer (between stream events a write to the client notices it).
         */
        private void checkClient(long now) {
            if (clientGone == null || !armed || expired != null || phase == Phase.IDLE
                    || now - created < CLIENT_CHECK_GRACE_NANOS) {
                return;
            }
            boolean gone;
            try {
                gone = clientGone.getAsBoolean();
            } catch (RuntimeException e) {
                return;
            }
            if (!gone) {
                return;
            }
            lock.lock();
            try {
                if (armed && expired == null) {
                    expired = Phase.CLIENT_GONE;
                    thread.interrupt();
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            active.remove(this);
            armed = false;
            Thread.interrupted();
        }
    }
}
