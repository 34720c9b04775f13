package com.aoaigw.proxy.usage;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.LongSupplier;

import com.aoaigw.config.SharedStateSettings;

/**
 * The usage history of this gateway: requests are {@link #record recorded} into a striped in-memory aggregate; a
 * background loop moves them into the {@link UsageHistory} every second, writes the snapshot file (local mode, at
 * least once a minute while there is new usage, and at shutdown) and, in Redis mode, adds each replica's new usage
 * to Redis every few seconds in one round trip. Reads answer from Redis (the whole fleet) in Redis mode, falling back
 * to this replica's own history while Redis cannot be read. While Redis is down the unsent usage is kept and sent
 * when it is back, up to {@link #MAX_UNSENT_CELLS} cells (then the oldest minutes are dropped, and that is logged).
 */
public final class UsageService implements UsageReader, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(UsageService.class.getName());
    /** Cells (one per minute and dimensions) kept unsent while Redis is down. */
    static final int MAX_UNSENT_CELLS = 200_000;
    private static final long PRUNE_MILLIS = 60_000;

    private final UsageSettings settings;
    private final LongSupplier clock;
    private final UsageRecorder recorder = new UsageRecorder();
    private final UsageHistory history = new UsageHistory();
    private final SnapshotFile snapshot;
    private final Function<SharedStateSettings, FleetStore> fleets;
    private final String replica = UUID.randomUUID().toString();
    private final Object lock = new Object();
    private SharedStateSettings sharedState = SharedStateSettings.defaults();
    private volatile FleetStore fleet;
    private Map<Long, Map<Dims, UsageCell>> unsent = new HashMap<>();
    private Map<Long, Map<Dims, UsageCell>> inFlight;
    private String inFlightId;
    private long sequence;
    private boolean dirty;
    private long lastSnapshot;
    private long lastFlush;
    private long lastPrune;
    private boolean fleetDown;
    private volatile Thread loop;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param settings the process settings
     * @param clock    epoch milliseconds
     */
    public UsageService(UsageSettings settings, LongSupplier clock) {
        this(settings, clock, RedisUsageStore::create);
    }

    /**
     * @param settings the process settings
     * @param clock    epoch milliseconds
     * @param fleets   opens the fleet store for Redis settings
     */
    UsageService(UsageSettings settings, LongSupplier clock, Function<SharedStateSettings, FleetStore> fleets) {
        this.settings = settings;
        this.clock = clock;
        this.fleets = fleets;
        this.snapshot = new SnapshotFile(settings.file());
    }

    /** Loads the snapshot and starts the background loop. */
    public void start() {
        history.merge(snapshot.load());
        long now = clock.getAsLong();
        history.prune(now);
        lastSnapshot = now;
        lastFlush = now;
        lastPrune = now;
        long tick = Math.min(1000, Math.min(settings.snapshotMillis(), settings.flushMillis()));
        loop = Thread.ofPlatform().daemon().name("usage-history").start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    tick();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "usage history: background step failed", e);
                }
            }
        });
    }

    /** @param e one finished request (cheap: no I/O) */
    public void record(UsageEvent e) {
        recorder.record(e);
    }

    /**
     * Applies {@code server.sharedState}: in Redis mode usage goes to Redis too; nothing happens when the settings
     * did not change.
     *
     * @param next the settings of the new config
     */
    public void sharedState(SharedStateSettings next) {
        FleetStore old;
        synchronized (lock) {
            if (next.equals(sharedState)) {
                return;
            }
            sharedState = next;
            old = fleet;
            fleet = next.redis() && !next.redisUrl().isEmpty() ? fleets.apply(next) : null;
            fleetDown = false;
        }
        if (old != null) {
            old.close();
        }
    }

    /** @return {@code redis} when usage is shared through Redis, else {@code local} */
    public String mode() {
        return fleet != null ? "redis" : "local";
    }

    /** @return the snapshot file */
    public java.nio.file.Path snapshotFile() {
        return snapshot.path();
    }

    @Override
    public long now() {
        return clock.getAsLong();
    }

    @Override
    public UsageReport query(long fromMillis, long toMillis, Resolution step, Dims.Dimension by) {
        FleetStore f;
        synchronized (lock) {
            move();
            f = fleet;
            if (f != null) {
                flush(f, clock.getAsLong());
            }
        }
        if (f != null) {
            long from = step.align(fromMillis);
            try {
                return UsageHistory.report(from, toMillis, step, by, "fleet", f.read(step, from, toMillis));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "usage history: Redis read failed, answering for this replica", e);
            }
        }
        return history.query(fromMillis, toMillis, step, by);
    }

    /** One step of the background loop (tests call it with a fake clock). */
    void tick() {
        long now = clock.getAsLong();
        synchronized (lock) {
            move();
            FleetStore f = fleet;
            if (f != null && now - lastFlush >= settings.flushMillis()) {
                lastFlush = now;
                flush(f, now);
            }
            if (now - lastPrune >= PRUNE_MILLIS) {
                lastPrune = now;
                history.prune(now);
            }
            if (f == null && dirty && now - lastSnapshot >= settings.snapshotMillis()) {
                lastSnapshot = now;
                writeSnapshot(now);
            }
        }
    }

    /** Moves what the recorder gathered into the history (and the unsent usage in Redis mode). */
    private void move() {
        Map<Long, Map<Dims, UsageCell>> d = recorder.drain();
        if (d.isEmpty()) {
            return;
        }
        history.add(d);
        dirty = true;
        if (fleet != null) {
            UsageRecorder.merge(unsent, d);
            cap();
        }
    }

    private void cap() {
        int cells = 0;
        for (Map<Dims, UsageCell> m : unsent.values()) {
            cells += m.size();
        }
        if (cells <= MAX_UNSENT_CELLS) {
            return;
        }
        TreeMap<Long, Map<Dims, UsageCell>> sorted = new TreeMap<>(unsent);
        long dropped = 0;
        Iterator<Map.Entry<Long, Map<Dims, UsageCell>>> it = sorted.entrySet().iterator();
        while (cells > MAX_UNSENT_CELLS && it.hasNext()) {
            Map.Entry<Long, Map<Dims, UsageCell>> e = it.next();
            cells -= e.getValue().size();
            for (UsageCell c : e.getValue().values()) {
                dropped += c.requests;
            }
            it.remove();
        }
        unsent = new HashMap<>(sorted);
        LOG.log(System.Logger.Level.WARNING, "usage history: Redis unreachable for long; dropped the oldest unsent "
                + "minutes (" + dropped + " requests) to stay within " + MAX_UNSENT_CELLS + " cells");
    }

    /** Sends the batch in flight (again) or the unsent usage as a new batch; keeps it when Redis fails. */
    private void flush(FleetStore f, long now) {
        if (inFlight == null) {
            if (unsent.isEmpty()) {
                return;
            }
            inFlight = unsent;
            inFlightId = replica + ":" + (++sequence);
            unsent = new HashMap<>();
        }
        try {
            f.add(inFlightId, inFlight);
            inFlight = null;
            inFlightId = null;
            if (fleetDown) {
                fleetDown = false;
                LOG.log(System.Logger.Level.INFO, "usage history: Redis reachable again; unsent usage delivered");
            }
        } catch (RuntimeException e) {
            if (!fleetDown) {
                fleetDown = true;
                LOG.log(System.Logger.Level.WARNING, "usage history: cannot add usage to Redis ("
                        + e.getClass().getSimpleName() + "); keeping it and retrying");
            }
            // what arrives meanwhile waits in `unsent`; the batch in flight is sent again under the same id
        }
    }

    private void writeSnapshot(long now) {
        try {
            snapshot.write(history, now);
            dirty = false;
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "usage history: cannot write " + snapshot.path() + " ("
                    + e.getMessage() + "); the previous snapshot stays, retrying");
        }
    }

    /** Stops the loop and writes the last snapshot (local mode) or sends the last usage (Redis mode). */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        FleetStore f;
        synchronized (lock) {
            move();
            f = fleet;
            long now = clock.getAsLong();
            if (f != null) {
                flush(f, now);
                if (inFlight != null || !unsent.isEmpty()) {
                    LOG.log(System.Logger.Level.WARNING, "usage history: Redis unreachable at shutdown; this "
                            + "replica's unsent usage is lost");
                }
            } else if (dirty) {
                writeSnapshot(now);
            }
            fleet = null;
        }
        if (f != null) {
            f.close();
        }
    }
}
