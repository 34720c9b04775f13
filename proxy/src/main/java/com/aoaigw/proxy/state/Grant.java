package com.aoaigw.proxy.state;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Admissions one replica reserved ahead in Redis for one set of checks (one key and model), to hand out without a
 * round trip (README "Limits, quotas and budgets", "Redis: admissions reserved ahead").
 *
 * <p>When a set of checks is busy on this replica, its admission asks Redis to reserve, in the same script call,
 * room for up to {@link #MAX_AHEAD} more admissions of the same size; Redis grants only as many as leave every limit
 * at least 15/16 of the room the admission left, so a key near its limit is admitted one by one, in Redis, as
 * before. The replica then admits the next requests of that set from the reservation: each takes its own amounts
 * (a slot takes one of the reserved holders), and a charge whose actual usage exceeds what its admission reserved
 * (tokens) takes the excess from the reservation's room too, so the replica never lets through more than Redis
 * reserved. When less than half of the last reservation is left, the replica asks for more in the background ({@link
 * #topUp}, in the reservation's own second), so the requests of a busy set seldom find it empty. What is not handed
 * out within {@link #LIFETIME_MS} of the reservation is given back to Redis (a refund charge), as it is when a request
 * does not fit what is left. Nothing is ever admitted beyond what Redis counted for it: the limits
 * hold across replicas exactly as before, and a busy key costs a script call per reservation instead of per
 * request.
 *
 * <p>Not thread-safe: {@link RedisSharedState} uses it under its send lock.
 */
final class Grant {
    /** How long a reservation may be handed out; what is left is then given back. */
    static final long LIFETIME_MS = 1000;
    /** The most admissions reserved ahead at once. */
    static final int MAX_AHEAD = 128;

    private final List<Check> shape;
    /** When the reservation was made (epoch ms); -1 when nothing is reserved. */
    private long at = -1;
    /** Per check: still reserved in Redis for admissions not handed out (given back when the reservation ends). */
    private final long[] reserved;
    /** Per check: what handed-out admissions and their charges may still take. */
    private final long[] room;
    /** Per check: what Redis held after the admission that made the reservation, without the reservation. */
    private final long[] base;
    /** Per check: what was handed out since. */
    private final long[] taken;
    /** Per check: what the last reservation added (a top-up is asked for when less than half of it is left). */
    private final long[] last;
    /** Per check: the usual excess of a charge over its admission's amount (an average, for {@link #units}). */
    private final long[] excess;
    /** Per slot check: the reserved holders not handed out yet. */
    private final List<ArrayDeque<String>> holders;
    /**
     * Per slot check: every holder reserved for the live reservation, handed out or not: a request that took one
     * gives it back to the reservation when it ends ({@link #recycle}) instead of releasing it in Redis.
     */
    private final List<java.util.Set<String>> live;
    private long second = Long.MIN_VALUE;
    private int thisSecond;
    private int lastSecond;
    private long lastUse;
    /** Completed when the admission of this set that asks for more ahead has its answer; null when none is asking. */
    private java.util.concurrent.CompletableFuture<Void> coming;

    /** @param shape the checks of the admissions this grant serves (their keys, kinds and limits) */
    Grant(List<Check> shape) {
        this.shape = List.copyOf(shape);
        int n = shape.size();
        reserved = new long[n];
        room = new long[n];
        base = new long[n];
        taken = new long[n];
        last = new long[n];
        excess = new long[n];
        holders = new ArrayList<>(n);
        live = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            boolean slot = shape.get(i) instanceof Check.Slot;
            holders.add(slot ? new ArrayDeque<>() : null);
            live.add(slot ? new java.util.HashSet<>() : null);
        }
    }

    /** @return the checks this grant serves */
    List<Check> shape() {
        return shape;
    }

    /**
     * Counts an admission of this set at {@code now} (for {@link #wish()}).
     *
     * @param now the admission's time (epoch ms)
     */
    void count(long now) {
        long s = Math.floorDiv(now, 1000);
        if (s != second) {
            lastSecond = s == second + 1 ? thisSecond : 0;
            thisSecond = 0;
            second = s;
        }
        thisSecond++;
        lastUse = now;
    }

    /**
     * @return how many admissions to ask Redis to reserve ahead: about half a second of this set's recent admissions
     *         on this replica, at most {@link #MAX_AHEAD}; none for a set admitted less than 4 times a second
     */
    int wish() {
        int rate = Math.max(thisSecond, lastSecond);
        return rate < 4 ? 0 : Math.min(MAX_AHEAD, rate / 2);
    }

    /**
     * @param checks an admission's checks
     * @return per check what to reserve ahead for each admission: its amount plus what its charges usually add
     *         (a request's completion tokens beyond its prompt estimate), so a reservation lasts as many admissions
     *         as it was made for; for a slot set one holder each, or none while the live reservation has at least
     *         {@link #wish()} holders to hand out (holders come back when their requests end: {@link #recycle})
     */
    long[] units(List<Check> checks) {
        long[] u = new long[checks.size()];
        for (int i = 0; i < u.length; i++) {
            Check c = checks.get(i);
            if (c instanceof Check.Slot) {
                u[i] = at >= 0 && holders.get(i).size() >= Math.max(1, wish()) ? 0 : 1;
            } else {
                u[i] = c.amount() + excess[i];
            }
        }
        return u;
    }

    /** @return true while an admission of this set that asks for more ahead is on its way */
    boolean asking() {
        return coming != null;
    }

    /** @return what completes when the admission that asks for more ahead has its answer; null when none is asking */
    java.util.concurrent.CompletableFuture<Void> coming() {
        return coming;
    }

    /** @param asking whether an admission that asks for more ahead is on its way (false: it has its answer) */
    void asking(boolean asking) {
        if (asking) {
            coming = new java.util.concurrent.CompletableFuture<>();
        } else if (coming != null) {
            coming.complete(null);
            coming = null;
        }
    }

    /** @return the time of the last admission counted (epoch ms) */
    long lastUse() {
        return lastUse;
    }

    /**
     * @param now the time (epoch ms)
     * @return true when something is reserved and its lifetime is over
     */
    boolean expired(long now) {
        return at >= 0 && (now - at >= LIFETIME_MS || now < at);
    }

    /**
     * Hands out an admission from the reservation when every check of it fits what is left (and the reservation is
     * still live and made for the same limits).
     *
     * @param now    the time (epoch ms)
     * @param checks the admission's checks (the same keys as this grant's shape)
     * @param lent   where a slot's reserved holder is recorded under {@code key + '\0' + the request's holder}, so the
     *               request's release frees the reserved one
     * @return the answer, or null when the admission must go to Redis
     */
    Admission take(long now, List<Check> checks, Map<String, String> lent) {
        if (at < 0 || expired(now)) {
            return null;
        }
        int n = shape.size();
        for (int i = 0; i < n; i++) {
            Check c = checks.get(i);
            if (c.limit() != shape.get(i).limit()) {
                return null;
            }
            if (c instanceof Check.Slot ? holders.get(i).isEmpty() : room[i] < Math.max(1, c.amount())) {
                return null;
            }
        }
        long[] used = new long[n];
        long[] reset = new long[n];
        for (int i = 0; i < n; i++) {
            Check c = checks.get(i);
            long amount = c.amount();
            switch (c) {
                case Check.Window w -> reset[i] = 61_000 - Math.floorMod(now, 1000);
                case Check.Period p -> reset[i] = Math.max(0, p.resetAtMillis() - now);
                case Check.Slot s -> lent.put(s.key() + '\0' + s.holder(), holders.get(i).poll());
            }
            reserved[i] = Math.max(0, reserved[i] - amount);
            room[i] -= amount;
            taken[i] += amount;
            used[i] = base[i] + taken[i];
        }
        return new Admission(-1, used, reset, 0);
    }

    /**
     * Records what Redis reserved ahead with an admission of these checks.
     *
     * @param now    the admission's time (epoch ms)
     * @param checks the admission's checks
     * @param used   what Redis reported per check after the admission, the reservation included; changed in place
     *               to what it holds without the reservation (what the admission's own answer reports)
     * @param ahead  how many admissions Redis reserved ahead
     * @param units  per check what Redis reserved for each of them ({@link #units})
     */
    void reserve(long now, List<Check> checks, long[] used, int ahead, long[] units) {
        for (int i = 0; i < shape.size(); i++) {
            Check c = checks.get(i);
            long r = ahead * units[i];
            used[i] -= r;
            base[i] = used[i];
            reserved[i] = r;
            room[i] = r;
            last[i] = r;
            taken[i] = 0;
            if (c instanceof Check.Slot s) {
                List<String> names = aheadHolders(s.holder(), (int) r);
                holders.get(i).clear();
                holders.get(i).addAll(names);
                live.get(i).clear();
                live.get(i).addAll(names);
            }
        }
        at = now;
    }

    /**
     * @param now the time (epoch ms)
     * @return true when the reservation is live, made in this second, and any check has less than half of what its
     *         last reservation added left: time to ask for more ahead, before the requests of this set find it
     *         empty and wait
     */
    boolean low(long now) {
        // a top-up is made in the reservation's own second, so a window counts all of it in one bucket and the
        // reservation's lifetime still bounds how long before its use an admission is counted
        if (at < 0 || Math.floorDiv(now, 1000) != Math.floorDiv(at, 1000)) {
            return false;
        }
        for (int i = 0; i < shape.size(); i++) {
            long left = holders.get(i) != null ? holders.get(i).size() : room[i];
            if (left * 2 < last[i]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a top-up to the live reservation: an admission made for the reservation alone (its own amounts, and its
     * slot holder, are handed out like the rest) and what Redis reserved ahead with it. Window refunds then go to the
     * reservation's second, which is the top-up's too ({@link #low}); the reservation's lifetime is not extended.
     *
     * @param now    the top-up's time (epoch ms)
     * @param checks the top-up's checks (its slot holders are its own, not a request's)
     * @param used   what Redis reported per check after it, everything reserved included
     * @param ahead  how many admissions Redis reserved ahead with it
     * @param units  per check what Redis reserved for each of them
     * @return the charges that give the top-up back instead, when the reservation it was made for ended and another
     *         began in a different second meanwhile (empty when it was added)
     */
    List<Adjust> topUp(long now, List<Check> checks, long[] used, int ahead, long[] units) {
        if (at >= 0 && Math.floorDiv(at, 1000) != Math.floorDiv(now, 1000)) {
            List<Adjust> back = new ArrayList<>();
            for (int i = 0; i < shape.size(); i++) {
                Check c = checks.get(i);
                long r = (c instanceof Check.Slot ? 1 : c.amount()) + ahead * units[i];
                List<String> held = new ArrayList<>();
                if (c instanceof Check.Slot sl) {
                    held.add(sl.holder());
                    held.addAll(aheadHolders(sl.holder(), (int) (ahead * units[i])));
                }
                giveBack(c, now, r, held, back);
            }
            return back;
        }
        if (at < 0) {
            // the reservation ended meanwhile: the top-up starts a new one (its own admission is one more ahead)
            for (int i = 0; i < shape.size(); i++) {
                reserved[i] = 0;
                room[i] = 0;
                taken[i] = 0;
            }
            at = now;
        }
        for (int i = 0; i < shape.size(); i++) {
            Check c = checks.get(i);
            long r = (c instanceof Check.Slot ? 1 : c.amount()) + ahead * units[i];
            reserved[i] += r;
            room[i] += r;
            last[i] = r;
            base[i] = used[i] - reserved[i];
            taken[i] = 0;
            if (c instanceof Check.Slot s) {
                List<String> names = aheadHolders(s.holder(), (int) (ahead * units[i]));
                holders.get(i).add(s.holder());
                holders.get(i).addAll(names);
                live.get(i).add(s.holder());
                live.get(i).addAll(names);
            }
        }
        return List.of();
    }

    /**
     * Takes the excess of a charge (actual usage beyond what its admission reserved) from what may still be handed
     * out for that key. What the reservation still holds in Redis covers it first: that part is already counted
     * there (in the reservation's second, for a window), so it needs no charge of its own, and is simply not given
     * back when the reservation ends.
     *
     * @param key    the state key charged
     * @param excess how much more than reserved was used
     * @param cover  true to cover the excess from the reservation (false: only its room shrinks; another grant of
     *               the same key covered it)
     * @return how much of the excess the reservation covered (the charge to Redis is that much smaller)
     */
    long eat(String key, long excess, boolean cover) {
        long covered = 0;
        for (int i = 0; i < shape.size(); i++) {
            if (shape.get(i).key().equals(key)) {
                this.excess[i] = (this.excess[i] * 7 + excess + 7) / 8;
                if (at >= 0) {
                    room[i] -= excess;
                    if (cover && covered == 0) {
                        covered = Math.min(excess, Math.max(0, reserved[i]));
                        reserved[i] -= covered;
                    }
                }
            }
        }
        return covered;
    }

    /**
     * Takes back a reserved slot holder whose request ended, to hand out again, while the reservation it was
     * reserved for is not ended (it is still counted in Redis, under a lease that outlives the reservation's
     * lifetime by far more than a request may run).
     *
     * @param key    the slot set's state key
     * @param holder the reserved holder the request was lent
     * @return true when it was taken back (nothing is sent to Redis for it); false when it must be released there
     */
    boolean recycle(String key, String holder) {
        if (at < 0) {
            return false;
        }
        for (int i = 0; i < shape.size(); i++) {
            java.util.Set<String> mine = live.get(i);
            if (mine != null && shape.get(i).key().equals(key) && mine.contains(holder)) {
                holders.get(i).add(holder);
                reserved[i]++;
                room[i]++;
                taken[i]--;
                return true;
            }
        }
        return false;
    }

    /**
     * Ends the reservation.
     *
     * @return the charges that give back to Redis what was not handed out (empty when nothing is left)
     */
    List<Adjust> release() {
        if (at < 0) {
            return List.of();
        }
        List<Adjust> back = new ArrayList<>(2);
        for (int i = 0; i < shape.size(); i++) {
            ArrayDeque<String> held = holders.get(i);
            giveBack(shape.get(i), at, reserved[i], held == null ? List.of() : held, back);
            if (held != null) {
                held.clear();
                live.get(i).clear();
            }
            reserved[i] = 0;
            room[i] = 0;
        }
        at = -1;
        return back;
    }

    /** @return the names Redis gives the slot holders it reserves ahead with {@code holder}'s admission */
    private static List<String> aheadHolders(String holder, int ahead) {
        List<String> names = new ArrayList<>(ahead);
        for (int j = 1; j <= ahead; j++) {
            names.add(holder + '#' + j);
        }
        return names;
    }

    /**
     * Adds the charges that give back what is reserved for one check: a window's part at the second it was reserved
     * in, a period counter's part, a slot set's holders.
     */
    private static void giveBack(Check c, long at, long amount, java.util.Collection<String> held, List<Adjust> out) {
        switch (c) {
            case Check.Window w -> {
                if (amount > 0) {
                    out.add(new Adjust.Window(w.key(), at, amount, 0));
                }
            }
            case Check.Period p -> {
                if (amount > 0) {
                    out.add(new Adjust.Period(p.key(), -amount, p.resetAtMillis()));
                }
            }
            case Check.Slot s -> {
                for (String h : held) {
                    out.add(new Adjust.Release(s.key(), h));
                }
            }
        }
    }
}
