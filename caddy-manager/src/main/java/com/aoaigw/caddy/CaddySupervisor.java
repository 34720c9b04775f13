package com.aoaigw.caddy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import com.aoaigw.config.TlsReport;

/**
 * Keeps one Caddy process running while it is wanted: starts {@code caddy run} with the last good Caddyfile, waits
 * for its admin API, probes it every few seconds, and restarts Caddy with exponential backoff when it exits or its
 * admin API stops answering. Stops it gracefully (SIGTERM, then a kill after a grace period) when it is no longer
 * wanted. One loop thread owns the process; callers only state what they want.
 */
public final class CaddySupervisor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CaddySupervisor.class.getName());
    /** Probes that must fail in a row before Caddy is killed and restarted. */
    private static final int PROBE_FAILURES = 2;

    private final CaddyCommand command;
    private final Options options;
    private final Consumer<String> output;
    private final Supplier<String> lastLoggedError;
    private final Runnable onChange;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // what is wanted (guarded by lock)
    private boolean wanted;
    private boolean closed;
    private boolean restartRequested;
    private Path caddyfile;
    private CaddyAdminClient admin;
    // what is (process guarded by lock; state published)
    private Process process;
    private volatile Thread pump;
    private Thread loop;
    private volatile TlsReport.ProcessState state;
    private int restarts;
    private long generation;

    /**
     * Timing of the supervision.
     *
     * @param probeInterval  how often the admin API is probed
     * @param startTimeout   how long a new process may take until its admin API answers
     * @param initialBackoff the first wait before a restart; doubles after each failure
     * @param maxBackoff     the longest wait before a restart
     * @param stopTimeout    how long a graceful stop may take before Caddy is killed
     */
    public record Options(Duration probeInterval, Duration startTimeout, Duration initialBackoff, Duration maxBackoff,
                          Duration stopTimeout) {
        /** @return 5 s probes, 15 s start, 0.5 s to 30 s backoff, 10 s graceful stop */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMillis(500),
                    Duration.ofSeconds(30), Duration.ofSeconds(10));
        }
    }

    /**
     * @param command         how to run Caddy
     * @param options         timing
     * @param output          receives every line Caddy writes (its JSON log)
     * @param lastLoggedError the last error Caddy logged, to explain an exit
     * @param onChange        called (without blocking) whenever the process state changes
     * @param clock           time source
     */
    public CaddySupervisor(CaddyCommand command, Options options, Consumer<String> output,
                           Supplier<String> lastLoggedError, Runnable onChange, Clock clock) {
        this.command = command;
        this.options = options;
        this.output = output;
        this.lastLoggedError = lastLoggedError;
        this.onChange = onChange;
        this.clock = clock;
        this.state = new TlsReport.ProcessState("stopped", clock.instant(), null, 0, null);
    }

    /**
     * Wants Caddy running with this Caddyfile. If it runs already with another admin address, it is restarted
     * (loading through the old admin address would move its listener; caddy.md 6.3).
     *
     * @param file  the Caddyfile Caddy starts from (after a crash too)
     * @param admin the admin API named in that Caddyfile
     */
    public void run(Path file, CaddyAdminClient admin) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("supervisor is closed");
            }
            if (process != null && this.admin != null && !this.admin.address().equals(admin.address())) {
                restartRequested = true;
            }
            this.caddyfile = file;
            this.admin = admin;
            this.wanted = true;
            if (loop == null) {
                loop = Thread.ofVirtual().name("caddy-supervisor").start(this::loop);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Restarts Caddy from its Caddyfile now (e.g. after the file changed while its admin API was unreachable). */
    public void restart() {
        lock.lock();
        try {
            restartRequested = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops Caddy and waits until it is gone (bounded by the stop timeout plus a few seconds).
     */
    public void stop() {
        Thread t;
        lock.lock();
        try {
            wanted = false;
            changed.signalAll();
            t = loop;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            awaitState("stopped", options.stopTimeout().plusSeconds(5));
        }
    }

    /** @return true while Caddy is wanted */
    public boolean wanted() {
        lock.lock();
        try {
            return wanted;
        } finally {
            lock.unlock();
        }
    }

    /** @return how many Caddy processes have been started; pass it to {@link #awaitRunningAfter} */
    public long generation() {
        lock.lock();
        try {
            return generation;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a Caddy process started after {@code generation} answers on its admin API, or fails to start.
     *
     * @param generation the value of {@link #generation()} before the start or restart was asked for
     * @param timeout    how long to wait
     * @return true when it runs
     */
    public boolean awaitRunningAfter(long generation, Duration timeout) {
        return await(() -> this.generation > generation && state.state().equals("running"),
                () -> this.generation > generation && state.state().equals("failed"), timeout);
    }

    /** @return the start timeout of these options */
    public Duration startTimeout() {
        return options.startTimeout();
    }

    /** @return the process state */
    public TlsReport.ProcessState state() {
        return state;
    }

    /**
     * @param wantedState a state name
     * @param timeout     how long to wait
     * @return true when the process reached that state in time
     */
    public boolean awaitState(String wantedState, Duration timeout) {
        return await(() -> state.state().equals(wantedState), () -> false, timeout);
    }

    /** Waits under the lock until {@code done} holds (true), {@code failed} holds or the time is up (false). */
    private boolean await(java.util.function.BooleanSupplier done, java.util.function.BooleanSupplier failed,
                          Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (failed.getAsBoolean() || left <= 0) {
                    return false;
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Stops Caddy gracefully and ends the loop. */
    @Override
    public void close() {
        stop();
        Thread t;
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            t = loop;
        } finally {
            lock.unlock();
        }
        if (t != null) {
            try {
                t.join(options.stopTimeout().plusSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            // last resort: never leave a Caddy behind
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
            }
        } finally {
            lock.unlock();
        }
    }

    private void loop() {
        Duration backoff = options.initialBackoff();
        int probeFailures = 0;
        Instant runningSince = null;
        Instant nextProbe = Instant.MIN;
        while (true) {
            boolean want;
            boolean restart;
            Path file;
            CaddyAdminClient api;
            Process p;
            lock.lock();
            try {
                if (closed && process == null) {
                    return;
                }
                want = wanted && !closed;
                restart = restartRequested;
                restartRequested = false;
                file = caddyfile;
                api = admin;
                p = process;
            } finally {
                lock.unlock();
            }
            if (!want) {
                if (p != null) {
                    terminate(p);
                    setProcess(null);
                }
                setState("stopped", null, null);
                awaitChange(Duration.ofSeconds(1));
                continue;
            }
            if (restart && p != null) {
                // a wanted restart: not a failure, no backoff
                terminate(p);
                setProcess(null);
                p = null;
            }
            if (p != null && !p.isAlive()) {
                drainOutput();
                TlsReport.ProcessState before = state;
                boolean failedStart = before.state().equals("failed");
                // a start that failed stays "failed" (with its reason) through the backoff; a crash is "restarting"
                String why = failedStart ? before.lastError() : "Caddy exited with code " + p.exitValue() + explain();
                LOG.log(System.Logger.Level.WARNING, why + "; restarting in " + backoff.toMillis() + " ms");
                setProcess(null);
                restarts++;
                setState(failedStart ? "failed" : "restarting", null, why);
                awaitChange(backoff);
                backoff = min(backoff.multipliedBy(2), options.maxBackoff());
                continue;
            }
            if (p == null) {
                Process started = start(file);
                if (started == null) {
                    restarts++;
                    awaitChange(backoff);
                    backoff = min(backoff.multipliedBy(2), options.maxBackoff());
                    continue;
                }
                if (awaitAdmin(started, api)) {
                    runningSince = clock.instant();
                    probeFailures = 0;
                    nextProbe = runningSince.plus(options.probeInterval());
                    setState("running", started.pid(), state.lastError());
                } else if (started.isAlive()) {
                    LOG.log(System.Logger.Level.WARNING, "Caddy's admin API at " + api.address()
                            + " did not answer within " + options.startTimeout().toSeconds() + " s; killing it");
                    started.destroyForcibly();
                    waitFor(started, Duration.ofSeconds(5));
                    setState("failed", null, "admin API at " + api.address() + " did not answer after start"
                            + explain());
                } else {
                    drainOutput();
                    setState("failed", null, "Caddy exited with code " + started.exitValue() + " while starting"
                            + explain());
                }
                continue;
            }
            // running: reset the backoff after a quiet period, probe the admin API
            Instant now = clock.instant();
            if (runningSince != null && now.isAfter(runningSince.plusSeconds(30))) {
                backoff = options.initialBackoff();
            }
            if (!now.isBefore(nextProbe)) {
                nextProbe = now.plus(options.probeInterval());
                if (api.alive()) {
                    probeFailures = 0;
                } else if (++probeFailures >= PROBE_FAILURES) {
                    LOG.log(System.Logger.Level.WARNING, "Caddy's admin API at " + api.address()
                            + " stopped answering; killing Caddy to restart it");
                    p.destroyForcibly();
                    waitFor(p, Duration.ofSeconds(5));
                    probeFailures = 0;
                    continue;
                }
            }
            awaitChange(min(options.probeInterval(), Duration.between(now, nextProbe).plusMillis(1)));
        }
    }

    private Process start(Path file) {
        try {
            Process p = command.run(file).start();
            lock.lock();
            try {
                process = p;
                generation++;
            } finally {
                lock.unlock();
            }
            pump = Thread.ofVirtual().name("caddy-output-" + p.pid()).start(() -> pump(p));
            p.onExit().thenRun(this::signal);
            setState("starting", p.pid(), state.lastError());
            return p;
        } catch (IOException e) {
            String why = "cannot start '" + command.binary() + "': " + e.getMessage();
            LOG.log(System.Logger.Level.ERROR, why);
            setState("failed", null, why);
            return null;
        }
    }

    private boolean awaitAdmin(Process p, CaddyAdminClient api) {
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (api.alive()) {
                return true;
            }
            sleep(Duration.ofMillis(50));
        }
        return false;
    }

    private void pump(Process p) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.accept(line);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Caddy output ended: " + e);
        }
    }

    private void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        // SIGTERM through the handle: Process.destroy() would also close our end of Caddy's output pipe, and its
        // last log lines (and a clean exit) would be lost
        p.toHandle().destroy();
        if (!waitFor(p, options.stopTimeout())) {
            LOG.log(System.Logger.Level.WARNING, "Caddy did not stop within " + options.stopTimeout().toSeconds()
                    + " s; killing it");
            p.destroyForcibly();
            waitFor(p, Duration.ofSeconds(5));
        }
        // let the last log lines ("shutdown complete") through before anyone moves on or the JVM exits
        drainOutput();
    }

    /** Waits (briefly) until the output of an exited Caddy is read, so its last error is known. */
    private void drainOutput() {
        Thread t = pump;
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private String explain() {
        String e = lastLoggedError.get();
        return e == null ? "" : " (last error: " + e + ")";
    }

    private void setProcess(Process p) {
        lock.lock();
        try {
            process = p;
        } finally {
            lock.unlock();
        }
    }

    private void setState(String name, Long pid, String lastError) {
        TlsReport.ProcessState before = state;
        if (before.state().equals(name) && java.util.Objects.equals(before.pid(), pid)
                && before.restarts() == restarts && java.util.Objects.equals(before.lastError(), lastError)) {
            return;
        }
        lock.lock();
        try {
            state = new TlsReport.ProcessState(name, clock.instant(), pid, restarts, lastError);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        onChange.run();
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void awaitChange(Duration max) {
        lock.lock();
        try {
            if (!restartRequested && !closed) {
                changed.await(Math.max(1, max.toMillis()), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    private static boolean waitFor(Process p, Duration d) {
        try {
            return p.waitFor(d.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
