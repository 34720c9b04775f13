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
 * The state in Redis, shared by every replica. A busy set of checks (one key and model admitted at least a few times
 * a second on this replica) is admitted from admissions its last admission reserved ahead in Redis ({@link Grant}),
 * without a round trip; the others, and a set whose reservation is used up, go to Redis one by one. Admissions,
 * charges and reads are Lua script calls (each atomic), sent like a group commit: when nothing of this replica is on
 * its way to Redis, an admission or a charge goes at once
 * (one round trip); while a call is on its way, admissions and charges queue, and the moment it is answered the
 * whole queue goes as one script call (charges first, then each admission on its own, in the order they came), so
 * under load a request costs a share of a round trip instead of two (a busy replica's charges wait up to 5 ms for
 * company). A read first gives back what is reserved ahead and takes the queued charges with it. Every later
 * admission or read of this replica sees every earlier charge (calls reach Redis in the order they were made).
 * While Redis cannot be reached, either each replica counts alone in a {@link LocalSharedState} ({@code
 * onRedisDown: local}; the period counters start from what Redis last reported, what was counted meanwhile is
 * added to Redis when it is back, and so is what was reserved ahead and not used) or admissions fail with {@link
 * StateUnavailableException} ({@code reject}).
 * The outage is logged once when it starts and once when it ends; {@link #up()} feeds the
 * {@code aoaigw_shared_state_up} gauge.
 */
public final class RedisSharedState implements SharedState {
    private static final System.Logger LOG = System.getLogger(RedisSharedState.class.getName());
    private static final long PROBE_MS = 500;
    /**
     * How long charges alone may wait for company when the previous call went less than this long ago, on a replica
     * charging at least {@link #BUSY_CHARGES} a tenth of a second: one that admits from reservations sends few
     * admissions, so without it a busy replica would send a call per charge. A replica charging less (a client
     * sending one request after the other, through one replica or several) sends each charge at once, as an
     * admission always is.
     */
    private static final long LINGER_NS = 5_000_000;
    private static final int BUSY_CHARGES = 100;

    private final RedisLink link;
    private final String prefix;
    private final boolean rejectWhenDown;
    private final LocalSharedState fallback = new LocalSharedState();
    /**
     * Held while an outage's fallback is prepared (and while Redis is caught up with it): a request that finds Redis
     * down waits for it, so nothing it counts is wiped by the preparation.
     */
    private final Object outage = new Object();
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
    /** Whether busy sets of checks get admissions reserved ahead ({@link Grant}). */
    private final boolean ahead;
    /** Reservations ahead per set of check keys (under {@link #send}). */
    private final Map<List<String>, Grant> grants = new java.util.HashMap<>();
    /** The same reservations per state key, for the charges that take their excess from them (under {@link #send}). */
    private final Map<String, List<Grant>> grantsByKey = new java.util.HashMap<>();
    /** The reserved slot holder lent to a request, under {@code key + '\0' + the request's holder}. */
    private final Map<String, String> lent = new ConcurrentHashMap<>();
    /** Refunds that an outage kept from Redis, sent when it is back (its own lock: taken under {@link #outage} too). */
    private final java.util.Queue<Adjust> owed = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    /** Gives back expired reservations once a second and sends lingering charges (only when {@link #ahead}). */
    private final java.util.concurrent.ScheduledExecutorService timer;
    /** When the last script call was sent ({@link System#nanoTime()}, under {@link #send}). */
    private long lastSent = System.nanoTime() - LINGER_NS;
    /** Whether a lingering send is scheduled (under {@link #send}). */
    private boolean lingering;
    /** Charges queued in the current and the previous tenth of a second (under {@link #send}). */
    private long chargeTenth;
    private int chargesNow;
    private int chargesBefore;
    /** Script calls sent (admissions, charges and reads), for tests and the bench. */
    private final java.util.concurrent.atomic.LongAdder calls = new java.util.concurrent.atomic.LongAdder();

    /** A charge waiting to be sent: its time and its changes. */
    private record Pending(long now, List<Adjust> adjusts) {
    }

    /** An admission waiting to be sent (asking for {@code wish} more reserved ahead), and where its answer goes. */
    private record Waiting(long now, List<Check> checks, int wish, long[] units,
                           CompletableFuture<List<Long>> answer) {
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
        this(url, prefix, rejectWhenDown, true);
    }

    /**
     * @param url            {@code redis://} or {@code rediss://} URL, password included
     * @param prefix         prefix of every key
     * @param rejectWhenDown true for {@code onRedisDown: reject}
     * @param ahead          true to reserve admissions ahead for busy sets of checks ({@link Grant}); false sends every
     *                       admission to Redis (tests of the scripts' answers)
     */
    public RedisSharedState(String url, String prefix, boolean rejectWhenDown, boolean ahead) {
        this.prefix = prefix;
        this.rejectWhenDown = rejectWhenDown;
        this.ahead = ahead;
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
        if (ahead) {
            timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "redis-shared-state");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::sweep, Grant.LIFETIME_MS, Grant.LIFETIME_MS, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    @Override
    public Admission admit(long now, List<Check> checks) {
        StatefulRedisConnection<String, String> c = link.connection();
        if (link.up() && c != null) {
            try {
                if (ahead) {
                    CompletableFuture<Void> coming;
                    send.lock();
                    try {
                        Grant g = grant(checks);
                        g.count(now);
                        Admission fast = g.take(now, checks, lent);
                        if (fast != null) {
                            if (!g.asking() && g.low(now)) {
                                topUp(c, g, now, checks);
                            }
                            return fast;
                        }
                        coming = g.coming();
                    } finally {
                        send.unlock();
                    }
                    if (coming != null) {
                        // an admission of the same set is asking Redis for more ahead: wait for it, then try again
                        awaitQuietly(coming);
                    }
                }
                Grant g = null;
                Waiting w;
                send.lock();
                try {
                    int wish = 0;
                    long[] units = null;
                    if (ahead) {
                        g = grant(checks);
                        Admission fast = g.take(now, checks, lent);
                        if (fast != null) {
                            return fast;
                        }
                        // what is left does not fit (or its time is over): give it back before asking again
                        List<Adjust> back = g.release();
                        if (!back.isEmpty()) {
                            pending.add(new Pending(now, back));
                        }
                        // one admission of a set at a time asks for more ahead (the others meanwhile go one by one)
                        wish = g.asking() ? 0 : g.wish();
                        if (wish > 0) {
                            g.asking(true);
                            units = g.units(checks);
                        }
                    }
                    w = new Waiting(now, checks, wish, units, new CompletableFuture<>());
                    waiting.add(w);
                    if (inFlight == 0) {
                        flush(c);
                    }
                } finally {
                    send.unlock();
                }
                List<Long> r;
                try {
                    r = await(w.answer());
                } catch (RuntimeException e) {
                    if (w.wish() > 0) {
                        send.lock();
                        try {
                            g.asking(false);
                        } finally {
                            send.unlock();
                        }
                    }
                    throw e;
                }
                int n = checks.size();
                long[] used = new long[n];
                long[] reset = new long[n];
                for (int i = 0; i < n; i++) {
                    used[i] = r.get(2 + i);
                    reset[i] = r.get(2 + n + i);
                }
                if (w.wish() > 0) {
                    int reservedAhead = r.get(2 + 2 * n).intValue();
                    send.lock();
                    try {
                        if (reservedAhead > 0) {
                            // what is left of an earlier reservation (none, normally) goes back
                            List<Adjust> back = g.release();
                            if (!back.isEmpty()) {
                                queue(c, new Pending(now, back));
                            }
                            g.reserve(now, checks, used, reservedAhead, w.units());
                        }
                        // the admissions that waited for this answer now take from the reservation
                        g.asking(false);
                    } finally {
                        send.unlock();
                    }
                }
                for (int i = 0; i < n; i++) {
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
        return local().admit(now, checks);
    }

    @Override
    public void charge(long now, List<Adjust> adjusts) {
        if (adjusts.isEmpty()) {
            return;
        }
        List<Adjust> out = ahead ? throughGrants(adjusts) : adjusts;
        StatefulRedisConnection<String, String> c = link.connection();
        if (link.up() && c != null) {
            send.lock();
            try {
                if (ahead) {
                    out = eatExcess(out);
                    out = recycle(out);
                    if (out.isEmpty()) {
                        return;
                    }
                }
                queue(c, new Pending(now, out));
            } finally {
                send.unlock();
            }
            return;
        }
        local().charge(now, out);
    }

    /**
     * Queues a charge and sends it when nothing is on its way: at once, or (reserving ahead) after at most
     * {@link #LINGER_NS} from the previous call; called with {@link #send} held.
     */
    private void queue(StatefulRedisConnection<String, String> c, Pending p) {
        pending.add(p);
        long tenth = System.nanoTime() / 100_000_000L;
        if (tenth != chargeTenth) {
            chargesBefore = tenth == chargeTenth + 1 ? chargesNow : 0;
            chargesNow = 0;
            chargeTenth = tenth;
        }
        chargesNow++;
        if (inFlight == 0) {
            sendCharges(c);
        }
    }

    /** Nothing on its way and only charges queued: sends them now or when the linger is over; {@link #send} held. */
    private void sendCharges(StatefulRedisConnection<String, String> c) {
        boolean busy = Math.max(chargesNow, chargesBefore) >= BUSY_CHARGES;
        long wait = timer == null || !busy ? 0 : LINGER_NS - (System.nanoTime() - lastSent);
        if (wait <= 0) {
            flush(c);
        } else if (!lingering) {
            lingering = true;
            timer.schedule(() -> {
                send.lock();
                try {
                    lingering = false;
                    StatefulRedisConnection<String, String> now = link.connection();
                    if (inFlight == 0 && (!pending.isEmpty() || !waiting.isEmpty()) && now != null && link.up()) {
                        flush(now);
                    }
                } finally {
                    send.unlock();
                }
            }, wait, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Asks Redis, without waiting, for more admissions of a set ahead while some are left: an admission of the same
     * size made for the reservation alone (its slot holder is its own), whose answer adds to the reservation and lets
     * any request waiting for it go on. Called with {@link #send} held.
     */
    private void topUp(StatefulRedisConnection<String, String> c, Grant g, long now, List<Check> checks) {
        int wish = g.wish();
        if (wish <= 0) {
            return;
        }
        List<Check> own = new ArrayList<>(checks.size());
        for (Check k : checks) {
            own.add(k instanceof Check.Slot s ? new Check.Slot(s.key(), s.limit(), s.holder() + "~", s.leaseMs()) : k);
        }
        Waiting w = new Waiting(now, own, wish, g.units(own), new CompletableFuture<>());
        g.asking(true);
        waiting.add(w);
        if (inFlight == 0) {
            flush(c);
        }
        w.answer().whenComplete((r, e) -> {
            send.lock();
            try {
                int n = own.size();
                if (e == null && r.get(0) < 0) {
                    long[] used = new long[n];
                    for (int i = 0; i < n; i++) {
                        used[i] = r.get(2 + i);
                    }
                    List<Adjust> back = g.topUp(now, own, used, r.get(2 + 2 * n).intValue(), w.units());
                    if (!back.isEmpty()) {
                        queue(c, new Pending(now, back));
                    }
                }
                g.asking(false);
            } finally {
                send.unlock();
            }
        });
    }

    /**
     * @return the set's reservation (a new, empty one for a set not seen before or whose limits changed, the old
     *         one's rest given back); called with {@link #send} held
     */
    private Grant grant(List<Check> checks) {
        List<String> keys = new ArrayList<>(checks.size());
        for (Check c : checks) {
            keys.add(c.key());
        }
        Grant g = grants.get(keys);
        if (g != null) {
            List<Check> shape = g.shape();
            boolean same = true;
            for (int i = 0; i < shape.size() && same; i++) {
                same = shape.get(i).limit() == checks.get(i).limit();
            }
            if (same) {
                return g;
            }
            forget(keys, g);
        }
        g = new Grant(checks);
        grants.put(keys, g);
        for (String k : keys) {
            grantsByKey.computeIfAbsent(k, x -> new ArrayList<>(1)).add(g);
        }
        return g;
    }

    /** Drops a set's reservation, its rest queued to go back; called with {@link #send} held. */
    private void forget(List<String> keys, Grant g) {
        List<Adjust> back = g.release();
        if (!back.isEmpty()) {
            pending.add(new Pending(System.currentTimeMillis(), back));
        }
        grants.remove(keys);
        for (String k : keys) {
            List<Grant> l = grantsByKey.get(k);
            if (l != null) {
                l.remove(g);
                if (l.isEmpty()) {
                    grantsByKey.remove(k);
                }
            }
        }
    }

    /** @return the charges with each release of a request that held a reserved slot turned into that slot's release */
    private List<Adjust> throughGrants(List<Adjust> adjusts) {
        if (lent.isEmpty()) {
            return adjusts;
        }
        List<Adjust> out = adjusts;
        for (int i = 0; i < adjusts.size(); i++) {
            if (adjusts.get(i) instanceof Adjust.Release r) {
                String held = lent.remove(r.key() + '\0' + r.holder());
                if (held != null) {
                    if (out == adjusts) {
                        out = new ArrayList<>(adjusts);
                    }
                    out.set(i, new Adjust.Release(r.key(), held));
                }
            }
        }
        return out;
    }

    /**
     * @return the charges without the releases of reserved slot holders that their reservation took back to hand out
     *         again ({@link Grant#recycle}); {@link #send} held
     */
    private List<Adjust> recycle(List<Adjust> adjusts) {
        List<Adjust> out = adjusts;
        for (int i = 0; i < adjusts.size(); i++) {
            if (adjusts.get(i) instanceof Adjust.Release r) {
                List<Grant> l = grantsByKey.get(r.key());
                if (l != null) {
                    for (Grant g : l) {
                        if (g.recycle(r.key(), r.holder())) {
                            if (out == adjusts) {
                                out = new ArrayList<>(adjusts);
                            }
                            out.remove(r);
                            break;
                        }
                    }
                }
            }
        }
        return out;
    }

    /**
     * Takes what charges used beyond their reservations from the reservations ahead; {@link #send} held.
     *
     * @return the charges less what the reservations covered (a charge fully covered is left out)
     */
    private List<Adjust> eatExcess(List<Adjust> adjusts) {
        if (grantsByKey.isEmpty()) {
            return adjusts;
        }
        List<Adjust> out = adjusts;
        for (int j = 0; j < adjusts.size(); j++) {
            Adjust a = adjusts.get(j);
            String key;
            long excess;
            switch (a) {
                case Adjust.Window w -> {
                    key = w.key();
                    excess = w.actual() - w.reserved();
                }
                case Adjust.Period p -> {
                    key = p.key();
                    excess = p.delta();
                }
                case Adjust.Release r -> {
                    continue;
                }
            }
            List<Grant> l = excess > 0 ? grantsByKey.get(key) : null;
            if (l == null) {
                continue;
            }
            long covered = 0;
            for (Grant g : l) {
                covered += g.eat(key, excess, covered == 0);
            }
            if (covered > 0) {
                if (out == adjusts) {
                    out = new ArrayList<>(adjusts);
                }
                Adjust rest = switch (a) {
                    case Adjust.Window w -> covered == excess ? null
                            : new Adjust.Window(w.key(), w.atMillis(), w.reserved() + covered, w.actual());
                    case Adjust.Period p -> covered == excess ? null
                            : new Adjust.Period(p.key(), p.delta() - covered, p.resetAtMillis());
                    case Adjust.Release r -> r;
                };
                out.set(j, rest);
            }
        }
        if (out != adjusts) {
            out.removeIf(java.util.Objects::isNull);
        }
        return out;
    }

    /**
     * Once a second: gives back what reservations did not hand out in their lifetime, and forgets sets not admitted
     * for a minute.
     */
    private void sweep() {
        long now = System.currentTimeMillis();
        StatefulRedisConnection<String, String> c = link.connection();
        send.lock();
        try {
            if (closed || !link.up() || c == null) {
                return;
            }
            List<Adjust> back = new ArrayList<>();
            List<List<String>> idle = new ArrayList<>();
            grants.forEach((keys, g) -> {
                if (g.expired(now)) {
                    back.addAll(g.release());
                }
                if (now - g.lastUse() > 60_000 && now >= g.lastUse()) {
                    idle.add(keys);
                }
            });
            idle.forEach(k -> forget(k, grants.get(k)));
            if (!back.isEmpty()) {
                pending.add(new Pending(now, back));
            }
            if (!pending.isEmpty() && inFlight == 0) {
                flush(c);
            }
        } catch (RuntimeException e) {
            // the next round tries again; a failed call has started the outage
        } finally {
            send.unlock();
        }
    }

    /** @return the refunds of every reservation ahead, each ended; called with {@link #send} held */
    private List<Adjust> releaseAll() {
        List<Adjust> back = new ArrayList<>();
        grants.values().forEach(g -> back.addAll(g.release()));
        return back;
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
        return local().read(now, checks);
    }

    @Override
    public boolean up() {
        return link.up();
    }

    /** @return the script calls sent so far */
    long calls() {
        return calls.sum();
    }

    @Override
    public String mode() {
        return "redis";
    }

    @Override
    public void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
        List<Pending> queued;
        send.lock();
        try {
            List<Adjust> back = releaseAll();
            if (!back.isEmpty()) {
                pending.add(new Pending(System.currentTimeMillis(), back));
            }
            queued = drain();
        } finally {
            send.unlock();
        }
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
        if (ahead) {
            // an ask for more ahead on its way would add a reservation after this read gave them back: its answer
            // comes first (a read is an admin's, seldom)
            List<CompletableFuture<Void>> asking = new ArrayList<>();
            send.lock();
            try {
                grants.values().forEach(g -> {
                    if (g.coming() != null) {
                        asking.add(g.coming());
                    }
                });
            } finally {
                send.unlock();
            }
            asking.forEach(RedisSharedState::awaitQuietly);
        }
        Call call;
        RedisFuture<List<Long>> f;
        send.lock();
        try {
            if (ahead) {
                List<Adjust> back = releaseAll();
                if (!back.isEmpty()) {
                    pending.add(new Pending(now, back));
                }
            }
            call = readCall(now, checks, drain());
            f = c.async().evalsha(readSha, ScriptOutputType.MULTI, call.keys(), call.args());
            inFlight++;
            calls.increment();
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
            unsent(call.charges(), true);
            throw e;
        }
    }

    /** @return the fallback, once any outage's preparation of it is done */
    private LocalSharedState local() {
        synchronized (outage) {
            return fallback;
        }
    }

    /** Waits up to 5 s for another admission's answer; what happens to it does not matter here. */
    private static void awaitQuietly(CompletableFuture<Void> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // this admission goes to Redis itself
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
        lastSent = System.nanoTime();
        RedisFuture<List<Long>> f;
        try {
            f = c.async().evalsha(admitSha, ScriptOutputType.MULTI, call.keys(), call.args());
        } catch (RuntimeException e) {
            failed(call, ws, e);
            return;
        }
        inFlight++;
        calls.increment();
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
                int size = 3 + 2 * w.checks().size();
                w.answer().complete(r.subList(at, at + size));
                at += size;
            }
        }
    }

    private void failed(Call call, List<Waiting> ws, Throwable e) {
        RedisException re = e instanceof RedisException x ? x : new RedisException(e);
        down(re);
        unsent(call.charges(), true);
        ws.forEach(w -> w.answer().completeExceptionally(re));
    }

    /** One call answered: when none is left on its way and admissions or charges wait, they go now. */
    private void answered(StatefulRedisConnection<String, String> c) {
        send.lock();
        try {
            inFlight--;
            if (inFlight == 0 && !waiting.isEmpty()) {
                flush(c);
            } else if (inFlight == 0 && !pending.isEmpty()) {
                sendCharges(c);
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

    /**
     * Charges that did not reach Redis, or may not have (a call without an answer may still be carried out when
     * Redis answers again): the fallback counts them, except what gives back to a period counter (a reservation
     * ahead, or a request that used less than its estimate). That is owed to Redis and sent when it is back if it was
     * never sent, and dropped if it may have been (giving it back twice would let a key use more than its quota;
     * dropping it only counts a little more). The fallback's counters start from what Redis held and the outage's
     * additions are later added as their rise, so taking a refund there too would count it twice.
     *
     * @param charges      the charges
     * @param maybeApplied true when they were sent in a call that failed
     */
    private void unsent(List<Pending> charges, boolean maybeApplied) {
        for (Pending p : charges) {
            List<Adjust> local = new ArrayList<>(p.adjusts().size());
            for (Adjust a : p.adjusts()) {
                if (a instanceof Adjust.Period pd && pd.delta() < 0) {
                    if (!maybeApplied) {
                        owed.add(a);
                    }
                } else {
                    local.add(a);
                }
            }
            local().charge(p.now(), local);
        }
    }

    /** Marks the outage (once), seeds the fallback and starts probing for Redis's return. */
    private void down(RuntimeException cause) {
        synchronized (outage) {
            if (!link.markDown()) {
                return;
            }
            fallback.clear();
            lastSeen.forEach((k, v) -> fallback.seed(k, v[0], v[1]));
            seeded = fallback.periods();
        }
        LOG.log(System.Logger.Level.WARNING, "shared state: Redis unreachable (" + cause.getClass().getSimpleName()
                + "); " + (rejectWhenDown ? "limited keys are refused with 503 until it is back"
                : "each replica enforces the limits alone until it is back"));
        List<Adjust> held;
        send.lock();
        try {
            held = releaseAll();
        } finally {
            send.unlock();
        }
        // what the reservations ahead hold in Redis goes back when it is reachable again (window and slot parts
        // too: a window refund that arrives after its bucket left the window changes nothing)
        owed.addAll(held);
        unsent(drainLocked(), false);
        link.probeUntilBack("redis-probe", PROBE_MS, c -> {
            resync(c);
            LOG.log(System.Logger.Level.INFO, "shared state: Redis reachable again; counting is shared again");
        });
    }

    /** Adds what this replica counted in the periods during the outage to Redis, then forgets the local counts. */
    private void resync(StatefulRedisConnection<String, String> c) {
        synchronized (outage) {
            catchUp(c);
        }
    }

    /** {@link #resync} under {@link #outage}. */
    private void catchUp(StatefulRedisConnection<String, String> c) {
        Map<String, long[]> now = fallback.periods();
        Map<String, long[]> base = seeded;
        List<Adjust> adds = new ArrayList<>();
        for (Adjust a = owed.poll(); a != null; a = owed.poll()) {
            adds.add(a);
        }
        List<Adjust> refunds = List.copyOf(adds);
        now.forEach((k, v) -> {
            long before = base.containsKey(k) ? base.get(k)[0] : 0;
            if (v[0] > before) {
                adds.add(new Adjust.Period(k, v[0] - before, v[1]));
            }
        });
        if (!adds.isEmpty()) {
            Call call = admitCall(List.of(new Pending(System.currentTimeMillis(), adds)), List.of());
            try {
                RedisLink.eval(c.sync(), admitSha, RedisScripts.ADMIT, ScriptOutputType.MULTI, call.keys(),
                        call.args());
            } catch (RuntimeException e) {
                owed.addAll(refunds); // tried again with the next probe
                throw e;
            }
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
            args.add(Integer.toString(w.wish()));
            long[] units = w.units();
            int i = 0;
            for (Check c : w.checks()) {
                keys[k++] = prefix + c.key();
                args.add(Long.toString(c.limit()));
                long unit = units == null ? c.amount() : units[i];
                i++;
                switch (c) {
                    case Check.Window win -> {
                        kinds.append('w');
                        args.add(Long.toString(win.amount()));
                        args.add(Long.toString(unit));
                    }
                    case Check.Period p -> {
                        kinds.append('p');
                        args.add(Long.toString(p.amount()));
                        args.add(Long.toString(p.resetAtMillis()));
                        args.add(Long.toString(unit));
                    }
                    case Check.Slot s -> {
                        kinds.append('s');
                        args.add(s.holder());
                        args.add(Long.toString(s.leaseMs()));
                        args.add(units == null ? "0" : Long.toString(unit));
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
