package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The state in Redis, shared by every replica. Admissions, charges and reads are Lua script calls (each atomic), sent
 * like a group commit: when nothing of this replica is on its way to Redis, an admission or a charge goes at once
 * (one round trip); while a call is on its way, admissions and charges queue, and the moment it is answered the
 * whole queue goes as one script call (charges first, then each admission on its own, in the order they came), so
 * under load a request costs a share of a round trip instead of two. A read takes the queued charges with it. Every
 * later admission or read of this replica sees every earlier charge (calls reach Redis in the order they were made). While Redis cannot be reached, either each replica counts alone in a {@link LocalSharedState} ({@code
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
    /** Guards {@link #pending}, {@link #waiting} and {@link #inFlight}, and orders what is sent to Redis. */
    private final ReentrantLock send = new ReentrantLock();
    /** Charges not sent yet. */
    private List<Pending> pending = new ArrayList<>();
    /** Admissions not sent yet. */
    private List<Waiting> waiting = new ArrayList<>();
    /** Script calls sent and not answered yet. */
    private int inFlight;

    /** A charge waiting to be sent: its time and its changes. */
    private record Pending(long now, List<Adjust> adjusts) {
    }

    /** An admission waiting to be sent, and where its answer goes. */
    private record Waiting(long now, List<Check> checks, CompletableFuture<List<Long>> answer) {
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
        StatefulRedisConnection<String, String> c = link.connection();
        if (link.up() && c != null) {
            try {
                Waiting w = new Waiting(now, checks, new CompletableFuture<>());
                send.lock();
                try {
                    waiting.add(w);
                    if (inFlight == 0) {
                        flush(c);
                    }
                } finally {
                    send.unlock();
                }
                List<Long> r = await(w.answer());
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
                List<Long> r = read(now, checks, link.connection());
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
        List<Pending> queued = drainLocked();
        StatefulRedisConnection<String, String> c = link.connection();
        if (!queued.isEmpty() && c != null && link.up()) {
            try {
                Call call = admitCall(queued, List.of());
                RedisLink.eval(c.sync(), admitSha, RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(),
                        call.args());
            } catch (RedisException e) {
                // closing: what could not be sent is lost with this replica's local counts
            }
        }
        link.close();
    }

    /**
     * Sends the queued charges and a read in one script call and waits for the answer. When the call fails, the
     * charges it carried are counted by the fallback.
     */
    private List<Long> read(long now, List<Check> checks, StatefulRedisConnection<String, String> c) {
        if (c == null) {
            throw new RedisException("not connected");
        }
        Call call;
        RedisFuture<List<Long>> f;
        send.lock();
        try {
            call = readCall(now, checks, drain());
            f = c.async().evalsha(readSha, ScriptOutputType.MULTI, call.keys(), call.args());
            inFlight++;
            f.whenComplete((r, e) -> answered(c));
        } finally {
            send.unlock();
        }
        try {
            try {
                return LettuceFutures.awaitOrCancel(f, 5, TimeUnit.SECONDS);
            } catch (RedisNoScriptException e) {
                // Redis lost the script (a restart or SCRIPT FLUSH): EVAL loads it again under the same digest
                return LettuceFutures.awaitOrCancel(c.async().eval(RedisScripts.READ, ScriptOutputType.MULTI,
                        call.keys(), call.args()), 5, TimeUnit.SECONDS);
            }
        } catch (RedisException e) {
            call.charges().forEach(p -> fallback.charge(p.now(), p.adjusts()));
            throw e;
        }
    }

    /** @return an admission's answer; a failed call or no answer in time is a {@link RedisException} */
    private static List<Long> await(CompletableFuture<List<Long>> answer) {
        try {
            return answer.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RedisException re ? re : new RedisException(e.getCause());
        } catch (TimeoutException e) {
            throw new RedisCommandTimeoutException("no answer from Redis in 5 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisException(e);
        }
    }

    /**
     * Sends everything queued (charges, then admissions) as one script call without waiting; called with {@link
     * #send} held. The answer is handed to each admission; when the call fails, the outage begins, the charges are
     * counted by the fallback and each admission is told (and falls back or is refused).
     */
    private void flush(StatefulRedisConnection<String, String> c) {
        List<Waiting> ws = waiting.isEmpty() ? List.of() : waiting;
        if (!ws.isEmpty()) {
            waiting = new ArrayList<>();
        }
        Call call = admitCall(drain(), ws);
        RedisFuture<List<Long>> f;
        try {
            f = c.async().evalsha(admitSha, ScriptOutputType.MULTI, call.keys(), call.args());
        } catch (RuntimeException e) {
            failed(call, ws, e);
            return;
        }
        inFlight++;
        f.whenComplete((r, e) -> {
            if (e instanceof RedisNoScriptException) {
                // Redis lost the script (a restart or SCRIPT FLUSH): EVAL loads it again under the same digest
                c.async().eval(RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(), call.args())
                        .whenComplete((r2, e2) -> answered(c, call, ws, (List<Long>) r2, e2));
            } else {
                answered(c, call, ws, r, e);
            }
        });
    }

    /**
     * A flushed call answered: whatever queued meanwhile goes, then each admission gets its part. In that order: an
     * admitted request may finish and charge at once, and its charge must then find nothing in flight (and go at
     * once) rather than wait behind a call that is already answered.
     */
    private void answered(StatefulRedisConnection<String, String> c, Call call, List<Waiting> ws, List<Long> r,
                          Throwable e) {
        answered(c);
        if (e != null) {
            failed(call, ws, e);
        } else {
            int at = 0;
            for (Waiting w : ws) {
                int size = 2 + 2 * w.checks().size();
                w.answer().complete(r.subList(at, at + size));
                at += size;
            }
        }
    }

    private void failed(Call call, List<Waiting> ws, Throwable e) {
        RedisException re = e instanceof RedisException x ? x : new RedisException(e);
        down(re);
        call.charges().forEach(p -> fallback.charge(p.now(), p.adjusts()));
        ws.forEach(w -> w.answer().completeExceptionally(re));
    }

    /** One call answered: when none is left on its way and admissions or charges wait, they go now. */
    private void answered(StatefulRedisConnection<String, String> c) {
        send.lock();
        try {
            inFlight--;
            if (inFlight == 0 && (!pending.isEmpty() || !waiting.isEmpty())) {
                flush(c);
            }
        } finally {
            send.unlock();
        }
    }

    /** @return the queued charges, the queue emptied (takes {@link #send}) */
    private List<Pending> drainLocked() {
        send.lock();
        try {
            return drain();
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
        drainLocked().forEach(p -> fallback.charge(p.now(), p.adjusts()));
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
            Call call = admitCall(List.of(new Pending(System.currentTimeMillis(), adds)), List.of());
            RedisLink.eval(c.sync(), admitSha, RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(), call.args());
        }
        fallback.clear();
    }

    /** The keys and arguments of a script call that applies charges and then admissions. */
    private Call admitCall(List<Pending> charges, List<Waiting> admissions) {
        int nk = 0;
        for (Pending p : charges) {
            nk += p.adjusts().size();
        }
        for (Waiting w : admissions) {
            nk += w.checks().size();
        }
        String[] keys = new String[nk];
        List<String> args = new ArrayList<>(2 + nk * 3 + admissions.size() * 2);
        args.add(Integer.toString(admissions.size()));
        args.add("");
        String chargeKinds = charges(charges, keys, args);
        args.set(1, chargeKinds);
        int k = chargeKinds.length();
        for (Waiting w : admissions) {
            args.add(Long.toString(w.now()));
            StringBuilder kinds = new StringBuilder(w.checks().size());
            int at = args.size();
            args.add("");
            for (Check c : w.checks()) {
                keys[k++] = prefix + c.key();
                args.add(Long.toString(c.limit()));
                switch (c) {
                    case Check.Window win -> {
                        kinds.append('w');
                        args.add(Long.toString(win.amount()));
                    }
                    case Check.Period p -> {
                        kinds.append('p');
                        args.add(Long.toString(p.amount()));
                        args.add(Long.toString(p.resetAtMillis()));
                    }
                    case Check.Slot s -> {
                        kinds.append('s');
                        args.add(s.holder());
                        args.add(Long.toString(s.leaseMs()));
                    }
                }
            }
            args.set(at, kinds.toString());
        }
        return new Call(k == keys.length ? keys : java.util.Arrays.copyOf(keys, k), args.toArray(String[]::new),
                charges);
    }

    /** The keys and arguments of a script call that applies charges and then reads. */
    private Call readCall(long now, List<Check> checks, List<Pending> charges) {
        int nk = checks.size();
        for (Pending p : charges) {
            nk += p.adjusts().size();
        }
        String[] keys = new String[nk];
        List<String> args = new ArrayList<>(3 + nk * 3);
        args.add(Long.toString(now));
        args.add("");
        args.add("");
        String chargeKinds = charges(charges, keys, args);
        args.set(2, chargeKinds);
        int k = chargeKinds.length();
        StringBuilder kinds = new StringBuilder(checks.size());
        for (Check c : checks) {
            keys[k++] = prefix + c.key();
            kinds.append(switch (c) {
                case Check.Window w -> 'w';
                case Check.Period p -> 'p';
                case Check.Slot s -> 's';
            });
        }
        args.set(1, kinds.toString());
        return new Call(k == keys.length ? keys : java.util.Arrays.copyOf(keys, k), args.toArray(String[]::new),
                charges);
    }

    /**
     * Adds the charges' keys (from index 0) and arguments. Charges of one call that touch the same key are merged
     * when that gives the same result as applying them one by one: additions to one counter (not a refund, which
     * may stop at zero), additions to one window bucket made in the same second, and the releases of one slot set
     * (one ZREM). Under load a call carries the charges of several requests of the same busy key, so this saves
     * Redis most of their work.
     *
     * @return their kinds, one letter per key
     */
    private String charges(List<Pending> charges, String[] keys, List<String> args) {
        if (charges.isEmpty()) {
            return "";
        }
        List<Merged> list = new ArrayList<>();
        Map<String, Merged> open = new java.util.HashMap<>();
        for (Pending p : charges) {
            for (Adjust a : p.adjusts()) {
                switch (a) {
                    case Adjust.Window w -> {
                        boolean adds = w.actual() >= w.reserved();
                        String id = "w" + w.key() + '\0' + Math.floorDiv(w.atMillis(), 1000) + '\0'
                                + Math.floorDiv(p.now(), 1000);
                        Merged m = adds ? open.get(id) : null;
                        if (m != null) {
                            m.y += w.reserved();
                            m.z += w.actual();
                        } else {
                            m = new Merged('w', w.key(), p.now(), w.atMillis(), w.reserved(), w.actual());
                            list.add(m);
                            if (adds) {
                                open.put(id, m);
                            } else {
                                open.keySet().removeIf(k -> k.startsWith("w" + w.key() + '\0'));
                            }
                        }
                    }
                    case Adjust.Period pd -> {
                        String id = "p" + pd.key();
                        Merged m = pd.delta() >= 0 ? open.get(id) : null;
                        if (m != null) {
                            m.x += pd.delta();
                        } else {
                            m = new Merged('p', pd.key(), 0, pd.delta(), pd.resetAtMillis(), 0);
                            list.add(m);
                            if (pd.delta() >= 0) {
                                open.put(id, m);
                            } else {
                                open.remove(id);
                            }
                        }
                    }
                    case Adjust.Release r -> {
                        Merged m = open.get("r" + r.key());
                        if (m == null) {
                            m = new Merged('r', r.key(), 0, 0, 0, 0);
                            list.add(m);
                            open.put("r" + r.key(), m);
                        }
                        m.holders.add(r.holder());
                    }
                }
            }
        }
        StringBuilder kinds = new StringBuilder(list.size());
        int k = 0;
        for (Merged m : list) {
            keys[k++] = prefix + m.key;
            kinds.append(m.kind);
            switch (m.kind) {
                case 'w' -> {
                    args.add(Long.toString(m.now));
                    args.add(Long.toString(m.x));
                    args.add(Long.toString(m.y));
                    args.add(Long.toString(m.z));
                }
                case 'p' -> {
                    args.add(Long.toString(m.x));
                    args.add(Long.toString(m.y));
                }
                default -> {
                    args.add(Integer.toString(m.holders.size()));
                    args.addAll(m.holders);
                }
            }
        }
        return kinds.toString();
    }

    /** Charges to one key, merged: w: at, reserved, actual; p: delta, reset; r: holders. */
    private static final class Merged {
        final char kind;
        final String key;
        final long now;
        long x;
        long y;
        long z;
        final List<String> holders = new ArrayList<>(2);

        Merged(char kind, String key, long now, long x, long y, long z) {
            this.kind = kind;
            this.key = key;
            this.now = now;
            this.x = x;
            this.y = y;
            this.z = z;
        }
    }
}
