package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The state in Redis, shared by every replica. Admission and read are each one Lua script call (one round trip). A
 * charge is sent at once when nothing else of this replica is on its way to Redis; otherwise it waits for the next
 * admission or read, which applies it first in the same script call (so under load charges cost no round trip of
 * their own), or is sent when the connection falls idle. Either way every later admission or read of this replica
 * sees it. While Redis cannot be reached, either each replica counts alone in a {@link LocalSharedState} ({@code
 * onRedisDown: local}; the period counters start from what Redis last reported, and what was counted meanwhile is
 * added to Redis when it is back) or admissions fail with {@link StateUnavailableException} ({@code reject}).
 * The outage is logged once when it starts and once when it ends; {@link #up()} feeds the
 * {@code aoaigw_shared_state_up} gauge.
 */
public final class RedisSharedState implements SharedState {
    private static final System.Logger LOG = System.getLogger(RedisSharedState.class.getName());
    private static final long PROBE_MS = 500;

    private final RedisLink link;
    private final String prefix;
    private final boolean rejectWhenDown;
    private final LocalSharedState fallback = new LocalSharedState();
    /** Period counters as Redis last reported them (key to value, reset): the fallback's starting point. */
    private final Map<String, long[]> lastSeen = new ConcurrentHashMap<>();
    /** The fallback's period values when the outage began, to add only what was counted during it. */
    private volatile Map<String, long[]> seeded = Map.of();
    private volatile String admitSha;
    private volatile String readSha;
    /** Guards {@link #pending} and {@link #inFlight}, and orders what is sent to Redis. */
    private final ReentrantLock send = new ReentrantLock();
    /** Charges not sent yet. */
    private List<Pending> pending = new ArrayList<>();
    /** Script calls sent and not answered yet. */
    private int inFlight;

    /** A charge waiting to be sent: its time and its changes. */
    private record Pending(long now, List<Adjust> adjusts) {
    }

    /** One script call: keys and arguments, charges first. */
    private record Call(String[] keys, String[] args, List<Pending> charges) {
    }

    /**
     * Connects (or, when Redis is not reachable yet, starts in the outage state and keeps trying).
     *
     * @param url            {@code redis://} or {@code rediss://} URL, password included
     * @param prefix         prefix of every key
     * @param rejectWhenDown true for {@code onRedisDown: reject}
     */
    public RedisSharedState(String url, String prefix, boolean rejectWhenDown) {
        this.prefix = prefix;
        this.rejectWhenDown = rejectWhenDown;
        this.link = new RedisLink(url, Duration.ofSeconds(1), Duration.ofSeconds(1), c -> {
            var cmd = c.sync();
            admitSha = cmd.scriptLoad(RedisScripts.ADMIT);
            readSha = cmd.scriptLoad(RedisScripts.READ);
        });
        try {
            link.connect();
        } catch (RuntimeException e) {
            down(e);
        }
    }

    @Override
    public Admission admit(long now, List<Check> checks) {
        if (link.up()) {
            try {
                List<Long> r = call(admitSha, RedisScripts.ADMIT, now, checks, true);
                int n = checks.size();
                long[] used = new long[n];
                long[] reset = new long[n];
                for (int i = 0; i < n; i++) {
                    used[i] = r.get(2 + i);
                    reset[i] = r.get(2 + n + i);
                    if (checks.get(i) instanceof Check.Period p) {
                        lastSeen.put(p.key(), new long[] {used[i], p.resetAtMillis()});
                    }
                }
                if (lastSeen.size() > 10_000) {
                    lastSeen.values().removeIf(v -> v[1] < now);
                }
                return new Admission(r.get(0).intValue(), used, reset, r.get(1));
            } catch (RedisException e) {
                down(e);
            }
        }
        if (rejectWhenDown) {
            throw new StateUnavailableException(null);
        }
        return fallback.admit(now, checks);
    }

    @Override
    public void charge(long now, List<Adjust> adjusts) {
        if (adjusts.isEmpty()) {
            return;
        }
        StatefulRedisConnection<String, String> c = link.connection();
        if (link.up() && c != null) {
            send.lock();
            try {
                pending.add(new Pending(now, adjusts));
                if (inFlight == 0) {
                    flush(c);
                }
            } finally {
                send.unlock();
            }
            return;
        }
        fallback.charge(now, adjusts);
    }

    @Override
    public long[] read(long now, List<Check> checks) {
        if (link.up() && !checks.isEmpty()) {
            try {
                List<Long> r = call(readSha, RedisScripts.READ, now, checks, false);
                long[] out = new long[r.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = r.get(i);
                }
                return out;
            } catch (RedisException e) {
                down(e);
            }
        }
        return fallback.read(now, checks);
    }

    @Override
    public boolean up() {
        return link.up();
    }

    @Override
    public String mode() {
        return "redis";
    }

    @Override
    public void close() {
        List<Pending> queued;
        send.lock();
        try {
            queued = drain();
        } finally {
            send.unlock();
        }
        StatefulRedisConnection<String, String> c = link.connection();
        if (!queued.isEmpty() && c != null && link.up()) {
            try {
                Call call = build(0, List.of(), true, queued);
                RedisLink.eval(c.sync(), admitSha, RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(),
                        call.args());
            } catch (RedisException e) {
                // closing: what could not be sent is lost with this replica's local counts
            }
        }
        link.close();
    }

    /**
     * Sends the queued charges and the checks in one script call and waits for the answer. When the call fails, the
     * charges it carried are counted by the fallback.
     */
    private List<Long> call(String sha, String script, long now, List<Check> checks, boolean admit) {
        StatefulRedisConnection<String, String> c = link.connection();
        if (c == null) {
            throw new RedisException("not connected");
        }
        Call call;
        RedisFuture<List<Long>> f;
        send.lock();
        try {
            call = build(now, checks, admit, drain());
            f = dispatch(c, sha, call);
        } finally {
            send.unlock();
        }
        try {
            try {
                return LettuceFutures.awaitOrCancel(f, 5, TimeUnit.SECONDS);
            } catch (RedisNoScriptException e) {
                // Redis lost the script (a restart or SCRIPT FLUSH): EVAL loads it again under the same digest
                return LettuceFutures.awaitOrCancel(c.async().eval(script, ScriptOutputType.MULTI, call.keys(),
                        call.args()), 5, TimeUnit.SECONDS);
            }
        } catch (RedisException e) {
            call.charges().forEach(p -> fallback.charge(p.now(), p.adjusts()));
            throw e;
        }
    }

    /** Sends the queued charges alone, without waiting; called with {@link #send} held. */
    private void flush(StatefulRedisConnection<String, String> c) {
        Call call = build(0, List.of(), true, drain());
        RedisFuture<List<Long>> f;
        try {
            f = dispatch(c, admitSha, call);
        } catch (RedisException e) {
            down(e);
            call.charges().forEach(p -> fallback.charge(p.now(), p.adjusts()));
            return;
        }
        f.whenComplete((r, e) -> {
            if (e instanceof RedisNoScriptException) {
                c.async().eval(RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(), call.args());
            } else if (e != null) {
                down(e instanceof RuntimeException re ? re : new RedisException(e));
                call.charges().forEach(p -> fallback.charge(p.now(), p.adjusts()));
            }
        });
    }

    /** Sends one script call (with {@link #send} held, so calls reach Redis in the order they were made). */
    private RedisFuture<List<Long>> dispatch(StatefulRedisConnection<String, String> c, String sha, Call call) {
        RedisFuture<List<Long>> f = c.async().evalsha(sha, ScriptOutputType.MULTI, call.keys(), call.args());
        inFlight++;
        f.whenComplete((r, e) -> answered(c));
        return f;
    }

    /** One call answered: when none is left on its way and charges wait, they go now. */
    private void answered(StatefulRedisConnection<String, String> c) {
        send.lock();
        try {
            inFlight--;
            if (inFlight == 0 && !pending.isEmpty() && link.up()) {
                flush(c);
            }
        } finally {
            send.unlock();
        }
    }

    /** @return the queued charges, the queue emptied; called with {@link #send} held */
    private List<Pending> drain() {
        if (pending.isEmpty()) {
            return List.of();
        }
        List<Pending> out = pending;
        pending = new ArrayList<>();
        return out;
    }

    /** Marks the outage (once), seeds the fallback and starts probing for Redis's return. */
    private void down(RuntimeException cause) {
        if (!link.markDown()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "shared state: Redis unreachable (" + cause.getClass().getSimpleName()
                + "); " + (rejectWhenDown ? "limited keys are refused with 503 until it is back"
                : "each replica enforces the limits alone until it is back"));
        fallback.clear();
        lastSeen.forEach((k, v) -> fallback.seed(k, v[0], v[1]));
        seeded = fallback.periods();
        List<Pending> queued;
        send.lock();
        try {
            queued = drain();
        } finally {
            send.unlock();
        }
        queued.forEach(p -> fallback.charge(p.now(), p.adjusts()));
        link.probeUntilBack("redis-probe", PROBE_MS, c -> {
            resync(c);
            LOG.log(System.Logger.Level.INFO, "shared state: Redis reachable again; counting is shared again");
        });
    }

    /** Adds what this replica counted in the periods during the outage to Redis, then forgets the local counts. */
    private void resync(StatefulRedisConnection<String, String> c) {
        Map<String, long[]> now = fallback.periods();
        Map<String, long[]> base = seeded;
        List<Adjust> adds = new ArrayList<>();
        now.forEach((k, v) -> {
            long before = base.containsKey(k) ? base.get(k)[0] : 0;
            if (v[0] > before) {
                adds.add(new Adjust.Period(k, v[0] - before, v[1]));
            }
        });
        if (!adds.isEmpty()) {
            Call call = build(0, List.of(), true, List.of(new Pending(System.currentTimeMillis(), adds)));
            RedisLink.eval(c.sync(), admitSha, RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(), call.args());
        }
        fallback.clear();
    }

    /**
     * The keys and arguments of one script call: the charges first, then the checks (with their limits and amounts
     * for an admission, their kinds only for a read).
     */
    private Call build(long now, List<Check> checks, boolean admit, List<Pending> charges) {
        int nk = checks.size();
        for (Pending p : charges) {
            nk += p.adjusts().size();
        }
        String[] keys = new String[nk];
        List<String> args = new ArrayList<>(3 + nk * 3);
        args.add(Long.toString(now));
        args.add("");
        args.add("");
        StringBuilder chargeKinds = new StringBuilder();
        int k = 0;
        for (Pending p : charges) {
            for (Adjust a : p.adjusts()) {
                switch (a) {
                    case Adjust.Window w -> {
                        keys[k++] = prefix + w.key();
                        chargeKinds.append('w');
                        args.add(Long.toString(p.now()));
                        args.add(Long.toString(w.atMillis()));
                        args.add(Long.toString(w.reserved()));
                        args.add(Long.toString(w.actual()));
                    }
                    case Adjust.Period pd -> {
                        keys[k++] = prefix + pd.key();
                        chargeKinds.append('p');
                        args.add(Long.toString(pd.delta()));
                        args.add(Long.toString(pd.resetAtMillis()));
                    }
                    case Adjust.Release r -> {
                        keys[k++] = prefix + r.key();
                        chargeKinds.append('r');
                        args.add(r.holder());
                    }
                }
            }
        }
        StringBuilder kinds = new StringBuilder(checks.size());
        for (Check c : checks) {
            keys[k++] = prefix + c.key();
            switch (c) {
                case Check.Window w -> {
                    kinds.append('w');
                    if (admit) {
                        args.add(Long.toString(w.limit()));
                        args.add(Long.toString(w.amount()));
                    }
                }
                case Check.Period p -> {
                    kinds.append('p');
                    if (admit) {
                        args.add(Long.toString(p.limit()));
                        args.add(Long.toString(p.amount()));
                        args.add(Long.toString(p.resetAtMillis()));
                    }
                }
                case Check.Slot s -> {
                    kinds.append('s');
                    if (admit) {
                        args.add(Long.toString(s.limit()));
                        args.add(s.holder());
                        args.add(Long.toString(s.leaseMs()));
                    }
                }
            }
        }
        args.set(1, kinds.toString());
        args.set(2, chargeKinds.toString());
        return new Call(keys, args.toArray(String[]::new), charges);
    }
}
