package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The state in Redis, shared by every replica. Admission, charge and read are each one Lua script call (one round
 * trip). While Redis cannot be reached, either each replica counts alone in a {@link LocalSharedState} ({@code
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
    private volatile String chargeSha;
    private volatile String readSha;

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
            chargeSha = cmd.scriptLoad(RedisScripts.CHARGE);
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
                List<Long> r = call(true, admitSha, RedisScripts.ADMIT, keys(checks), admitArgs(now, checks));
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
            // sent without waiting for the answer: the request is over, and commands on one connection run in
            // order, so a later admission or read of this replica sees the charge
            String[] keys = keys(adjusts);
            String[] args = chargeArgs(now, adjusts);
            try {
                c.async().<Long>evalsha(chargeSha, ScriptOutputType.INTEGER, keys, args).whenComplete((r, e) -> {
                    if (e instanceof RedisNoScriptException) {
                        c.async().<Long>eval(RedisScripts.CHARGE, ScriptOutputType.INTEGER, keys, args);
                    } else if (e != null) {
                        down(e instanceof RuntimeException re ? re : new RedisException(e));
                        fallback.charge(now, adjusts);
                    }
                });
                return;
            } catch (RedisException e) {
                down(e);
            }
        }
        fallback.charge(now, adjusts);
    }

    @Override
    public long[] read(long now, List<Check> checks) {
        if (link.up() && !checks.isEmpty()) {
            try {
                List<Long> r = call(true, readSha, RedisScripts.READ, keys(checks), readArgs(now, checks));
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
        link.close();
    }

    @SuppressWarnings("unchecked")
    private <T> T call(boolean multi, String sha, String script, String[] keys, String[] args) {
        StatefulRedisConnection<String, String> c = link.connection();
        if (c == null) {
            throw new RedisException("not connected");
        }
        return RedisLink.eval(c.sync(), sha, script, multi ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER, keys, args);
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
            String[] keys = keys(adds);
            String[] args = chargeArgs(System.currentTimeMillis(), adds);
            RedisLink.eval(c.sync(), chargeSha, RedisScripts.CHARGE, ScriptOutputType.INTEGER, keys, args);
        }
        fallback.clear();
    }

    private String[] keys(List<?> items) {
        String[] out = new String[items.size()];
        for (int i = 0; i < out.length; i++) {
            Object o = items.get(i);
            out[i] = prefix + (o instanceof Check c ? c.key() : switch ((Adjust) o) {
                case Adjust.Window w -> w.key();
                case Adjust.Period p -> p.key();
                case Adjust.Release r -> r.key();
            });
        }
        return out;
    }

    private static String[] admitArgs(long now, List<Check> checks) {
        int n = checks.size();
        String[] a = new String[2 + n * 3];
        char[] kinds = new char[n];
        int j = 2;
        for (int i = 0; i < n; i++) {
            Check c = checks.get(i);
            a[j++] = Long.toString(c.limit());
            switch (c) {
                case Check.Window w -> {
                    kinds[i] = 'w';
                    a[j++] = Long.toString(w.amount());
                }
                case Check.Period p -> {
                    kinds[i] = 'p';
                    a[j++] = Long.toString(p.amount());
                    a[j++] = Long.toString(p.resetAtMillis());
                }
                case Check.Slot s -> {
                    kinds[i] = 's';
                    a[j++] = s.holder();
                    a[j++] = Long.toString(s.leaseMs());
                }
            }
        }
        a[0] = Long.toString(now);
        a[1] = new String(kinds);
        return j == a.length ? a : java.util.Arrays.copyOf(a, j);
    }

    private static String[] readArgs(long now, List<Check> checks) {
        char[] kinds = new char[checks.size()];
        for (int i = 0; i < kinds.length; i++) {
            kinds[i] = switch (checks.get(i)) {
                case Check.Window w -> 'w';
                case Check.Period p -> 'p';
                case Check.Slot s -> 's';
            };
        }
        return new String[] {Long.toString(now), new String(kinds)};
    }

    private static String[] chargeArgs(long now, List<Adjust> adjusts) {
        int n = adjusts.size();
        String[] a = new String[2 + n * 3];
        char[] kinds = new char[n];
        int j = 2;
        for (int i = 0; i < n; i++) {
            switch (adjusts.get(i)) {
                case Adjust.Window w -> {
                    kinds[i] = 'w';
                    a[j++] = Long.toString(w.atMillis());
                    a[j++] = Long.toString(w.reserved());
                    a[j++] = Long.toString(w.actual());
                }
                case Adjust.Period p -> {
                    kinds[i] = 'p';
                    a[j++] = Long.toString(p.delta());
                    a[j++] = Long.toString(p.resetAtMillis());
                }
                case Adjust.Release r -> {
                    kinds[i] = 'r';
                    a[j++] = r.holder();
                }
            }
        }
        a[0] = Long.toString(now);
        a[1] = new String(kinds);
        return j == a.length ? a : java.util.Arrays.copyOf(a, j);
    }
}
