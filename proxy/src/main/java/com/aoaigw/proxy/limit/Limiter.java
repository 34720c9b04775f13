package com.aoaigw.proxy.limit;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.KeyLimits;
import com.aoaigw.config.ModelLimits;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.Pricing;
import com.aoaigw.proxy.state.Adjust;
import com.aoaigw.proxy.state.Admission;
import com.aoaigw.proxy.state.Check;
import com.aoaigw.proxy.state.SharedState;
import com.aoaigw.proxy.state.StateUnavailableException;

/**
 * Admits or refuses a request against its key's and its model's limits, and charges the actual usage at the end.
 *
 * <p>Admission is one {@link SharedState#admit} call: quotas first (daily and monthly tokens, monthly budget, so an
 * exhausted quota is reported as such), then the minute windows and the concurrency slots of the key and of the
 * model. Token windows and quotas reserve the prompt estimate; the charge replaces it with what Azure reported.
 * Every key's tokens and cost are counted per UTC day and month (one {@link SharedState#charge} call per exchange),
 * so the admin page can show them even for keys without limits.
 */
public final class Limiter {
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyyMM");
    /** Indexes into a key's or a model's state key names ({@link Periods#names}, {@link Periods#modelNames}). */
    private static final int RPM = 0;
    private static final int TPM = 1;
    private static final int CONC = 2;
    private static final int TOK_DAY = 3;
    private static final int TOK_MONTH = 4;
    private static final int COST_DAY = 5;
    private static final int COST_MONTH = 6;
    /** Costs are counted in millionths of the currency unit. */
    static final double MICROS = 1_000_000.0;
    /** {@link Ticket#plan()}: the day's token counter holds the estimate (above the bits of the token windows). */
    private static final int DAY_RESERVED = 1 << 30;
    /** {@link Ticket#plan()}: the month's token counter holds the estimate. */
    private static final int MONTH_RESERVED = 1 << 29;

    private final SharedState state;
    private final LongSupplier clock;
    /** The day of the last call (formatting dates cost more than the rest of an unlimited key's charge). */
    private volatile Periods periods;

    /**
     * @param state where the counters live
     * @param clock epoch milliseconds ({@code System::currentTimeMillis} in production, a fake in tests)
     */
    public Limiter(SharedState state, LongSupplier clock) {
        this.state = state;
        this.clock = clock;
    }

    /** @return the state (its mode and health are shown on the admin page and in metrics) */
    public SharedState state() {
        return state;
    }

    /**
     * @param key   the client key's limits, or null
     * @param model the model, or null
     * @return true when an admission is needed (the key or the model has limits)
     */
    public static boolean limited(KeyLimits key, ModelRoute model) {
        return key != null || model != null && model.limits() != null;
    }

    /**
     * @param key   the client key's limits, or null
     * @param model the model, or null
     * @return true when a token window or quota needs the prompt estimate
     */
    public static boolean needsEstimate(KeyLimits key, ModelRoute model) {
        KeyLimits k = key;
        ModelLimits m = model == null ? null : model.limits();
        return k != null && (k.tpm() != null || k.tokensPerDay() != null || k.tokensPerMonth() != null)
                || m != null && m.tpm() != null;
    }

    /**
     * Admits the request or throws.
     *
     * @param keyId     the client key's id
     * @param kl        the client key's limits, or null
     * @param model     the model, or null when it has no config entry
     * @param estimate  the prompt estimate in tokens
     * @param requestId the request id (holds the concurrency slots)
     * @param leaseMs   the longest the request may run (slots are freed after it even if the charge never comes)
     * @param currency  the currency for budget messages
     * @return the ticket to charge at the end
     * @throws LimitExceededException when a limit has no room, or the shared state is unavailable in reject mode
     */
    public Ticket admit(String keyId, KeyLimits kl, ModelRoute model, long estimate, String requestId, long leaseMs,
                        String currency) {
        long now = clock.getAsLong();
        ModelLimits ml = model == null ? null : model.limits();
        if (kl == null && ml == null) {
            // nothing to check (most keys): no lists, no key names
            return new Ticket(keyId, model == null ? null : model.id(), now, estimate, List.of(), List.of(),
                    RateHeaders.NONE, 0, null);
        }
        Periods p = periods(now);
        String[] k = p.names(keyId);
        String[] m = ml == null ? null : p.modelNames(model.id());
        List<Check> checks = new ArrayList<>(9);
        List<String> names = new ArrayList<>(9);
        if (kl != null) {
            if (kl.tokensPerDay() != null) {
                add(checks, names, "tokensPerDay", new Check.Period(k[TOK_DAY], kl.tokensPerDay(), estimate,
                        p.dayEnd));
            }
            if (kl.tokensPerMonth() != null) {
                add(checks, names, "tokensPerMonth", new Check.Period(k[TOK_MONTH], kl.tokensPerMonth(), estimate,
                        p.monthEnd));
            }
            if (kl.budgetPerMonth() != null) {
                add(checks, names, "budgetPerMonth", new Check.Period(k[COST_MONTH],
                        Math.round(kl.budgetPerMonth() * MICROS), 0, p.monthEnd));
            }
            if (kl.rpm() != null) {
                add(checks, names, "rpm", new Check.Window(k[RPM], kl.rpm(), 1));
            }
            if (kl.tpm() != null) {
                add(checks, names, "tpm", new Check.Window(k[TPM], kl.tpm(), estimate));
            }
        }
        if (ml != null) {
            if (ml.rpm() != null) {
                add(checks, names, "model_rpm", new Check.Window(m[RPM], ml.rpm(), 1));
            }
            if (ml.tpm() != null) {
                add(checks, names, "model_tpm", new Check.Window(m[TPM], ml.tpm(), estimate));
            }
        }
        if (kl != null && kl.maxConcurrent() != null) {
            add(checks, names, "maxConcurrent", new Check.Slot(k[CONC], kl.maxConcurrent(), requestId, leaseMs));
        }
        if (ml != null && ml.maxConcurrent() != null) {
            add(checks, names, "model_maxConcurrent", new Check.Slot(m[CONC], ml.maxConcurrent(), requestId,
                    leaseMs));
        }
        if (checks.isEmpty()) {
            return new Ticket(keyId, model == null ? null : model.id(), now, estimate, List.of(), List.of(),
                    RateHeaders.NONE, 0, k);
        }
        Admission a;
        try {
            a = state.admit(now, checks);
        } catch (StateUnavailableException e) {
            throw new LimitExceededException(new Refusal(503, "shared_state_unavailable", "shared_state_unavailable",
                    "shared_state", "The gateway cannot reach its shared state (Redis) to check this key's limits; "
                    + "please try again shortly.", 5000, RateHeaders.NONE));
        }
        RateHeaders headers = headers(kl, names, a);
        if (!a.admitted()) {
            throw new LimitExceededException(refusal(keyId, model, checks.get(a.refused()), names.get(a.refused()),
                    a.used()[a.refused()], a.retryMs(), headers, currency));
        }
        // what the charge needs, worked out now: which checks are token windows (their reservation is replaced by
        // the actual tokens) and whether the day's and month's token counters hold the estimate
        int plan = 0;
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name.endsWith("tpm")) {
                plan |= 1 << i;
            }
        }
        if (kl != null && kl.tokensPerDay() != null) {
            plan |= DAY_RESERVED;
        }
        if (kl != null && kl.tokensPerMonth() != null) {
            plan |= MONTH_RESERVED;
        }
        // the lists are this call's own: a read-only view, no copy
        return new Ticket(keyId, model == null ? null : model.id(), now, estimate,
                java.util.Collections.unmodifiableList(checks), java.util.Collections.unmodifiableList(names), headers,
                plan, k);
    }

    /**
     * Charges the end of an exchange: tokens replace the estimate in the token windows and quotas, the cost is
     * added, the concurrency slots are freed. One call to the state.
     *
     * @param t                the ticket from {@link #admit}
     * @param promptTokens     prompt tokens (cached included)
     * @param cachedTokens     cached prompt tokens
     * @param completionTokens completion tokens
     * @param pricing          the model's pricing, or null (free)
     */
    public void charge(Ticket t, long promptTokens, long cachedTokens, long completionTokens, Pricing pricing) {
        long now = clock.getAsLong();
        long total = Math.max(0, promptTokens) + Math.max(0, completionTokens);
        Periods p = periods(t.admittedAt());
        List<Check> checks = t.checks();
        List<Adjust> adjusts = new ArrayList<>(checks.size() + 4);
        int plan = t.plan();
        for (int i = 0, n = checks.size(); i < n; i++) {
            switch (checks.get(i)) {
                case Check.Window w -> {
                    if ((plan & 1 << i) != 0) {
                        adjusts.add(new Adjust.Window(w.key(), t.admittedAt(), w.amount(), total));
                    }
                }
                case Check.Period pc -> {
                    // reserved at admission; the day's and month's counters are charged below
                }
                case Check.Slot s -> adjusts.add(new Adjust.Release(s.key(), s.holder()));
            }
        }
        boolean dayReserved = (plan & DAY_RESERVED) != 0;
        boolean monthReserved = (plan & MONTH_RESERVED) != 0;
        long reserved = t.estimate();
        // the admission's names are the admission day's, which the charge counts in
        String[] names = t.keyNames() != null ? t.keyNames() : p.names(t.keyId());
        adjusts.add(new Adjust.Period(names[TOK_DAY], total - (dayReserved ? reserved : 0), p.dayEnd));
        adjusts.add(new Adjust.Period(names[TOK_MONTH], total - (monthReserved ? reserved : 0), p.monthEnd));
        if (pricing != null) {
            long micros = Math.round(pricing.cost(promptTokens, cachedTokens, completionTokens) * MICROS);
            if (micros > 0) {
                adjusts.add(new Adjust.Period(names[COST_DAY], micros, p.dayEnd));
                adjusts.add(new Adjust.Period(names[COST_MONTH], micros, p.monthEnd));
            }
        }
        state.charge(now, adjusts);
    }

    /**
     * What a key has used: its windows against its limits, tokens and cost today and this month, the budget left.
     *
     * @param key      the key
     * @param currency the currency of the amounts
     * @return the numbers, read in one call
     */
    public KeyUsage usage(ClientKey key, String currency) {
        long now = clock.getAsLong();
        Periods p = periods(now);
        String[] k = p.names(key.id());
        KeyLimits l = key.limits();
        List<Check> reads = List.of(
                new Check.Window(k[RPM], 0, 0),
                new Check.Window(k[TPM], 0, 0),
                new Check.Slot(k[CONC], 0, "", 0),
                new Check.Period(k[TOK_DAY], 0, 0, p.dayEnd),
                new Check.Period(k[TOK_MONTH], 0, 0, p.monthEnd),
                new Check.Period(k[COST_DAY], 0, 0, p.dayEnd),
                new Check.Period(k[COST_MONTH], 0, 0, p.monthEnd));
        long[] v = state.read(now, reads);
        Double budget = l == null ? null : l.budgetPerMonth();
        double costMonth = v[6] / MICROS;
        return new KeyUsage(key.id(),
                new KeyUsage.Meter(v[0], l == null ? null : l.rpm()),
                new KeyUsage.Meter(v[1], l == null ? null : l.tpm()),
                new KeyUsage.Meter(v[2], l == null ? null : l.maxConcurrent()),
                new KeyUsage.Meter(v[3], l == null ? null : l.tokensPerDay()),
                new KeyUsage.Meter(v[4], l == null ? null : l.tokensPerMonth()),
                v[5] / MICROS, costMonth, budget, budget == null ? null : Math.max(0, budget - costMonth), currency,
                Instant.ofEpochMilli(p.dayEnd).toString(), Instant.ofEpochMilli(p.monthEnd).toString());
    }

    private Periods periods(long at) {
        Periods p = periods;
        if (p == null || at < p.dayStart || at >= p.dayEnd) {
            p = Periods.at(at);
            periods = p;
        }
        return p;
    }

    private static void add(List<Check> checks, List<String> names, String name, Check c) {
        checks.add(c);
        names.add(name);
    }

    private static RateHeaders headers(KeyLimits kl, List<String> names, Admission a) {
        if (kl == null || kl.rpm() == null && kl.tpm() == null) {
            return RateHeaders.NONE;
        }
        int r = names.indexOf("rpm");
        int t = names.indexOf("tpm");
        return new RateHeaders(r < 0 ? -1 : kl.rpm(), r < 0 ? 0 : kl.rpm() - a.used()[r], r < 0 ? 0 : a.resetMs()[r],
                t < 0 ? -1 : kl.tpm(), t < 0 ? 0 : kl.tpm() - a.used()[t], t < 0 ? 0 : a.resetMs()[t]);
    }

    private static Refusal refusal(String keyId, ModelRoute model, Check c, String name, long used, long retryMs,
                                   RateHeaders headers, String currency) {
        boolean modelWide = name.startsWith("model_");
        String who = modelWide ? "model `" + model.id() + "`" : "key `" + keyId + "`";
        String wait = "Please try again in " + RateHeaders.duration(Math.max(retryMs, 1)) + ".";
        return switch (name) {
            case "rpm", "model_rpm" -> new Refusal(429, "requests", "rate_limit_exceeded", name,
                    "Rate limit reached for " + who + " on requests per min (RPM): Limit " + c.limit() + ", Used "
                            + used + ", Requested 1. " + wait, retryMs, headers);
            case "tpm", "model_tpm" -> new Refusal(429, "tokens", "rate_limit_exceeded", name,
                    "Rate limit reached for " + who + " on tokens per min (TPM): Limit " + c.limit() + ", Used "
                            + used + ", Requested " + c.amount() + ". "
                            + (c.amount() > c.limit() ? "The request alone is larger than the limit; send a shorter "
                            + "prompt." : wait), retryMs, headers);
            case "maxConcurrent", "model_maxConcurrent" -> new Refusal(429, "requests", "rate_limit_exceeded", name,
                    "Too many concurrent requests for " + who + ": Limit " + c.limit() + " in flight. Please try "
                            + "again when one of them has finished.", retryMs, headers);
            case "tokensPerDay", "tokensPerMonth" -> {
                boolean day = name.equals("tokensPerDay");
                yield new Refusal(429, "insufficient_quota", "insufficient_quota", name,
                        "You exceeded the " + (day ? "daily" : "monthly") + " token quota of " + who + ": Limit "
                                + c.limit() + ", Used " + used + ", Requested " + c.amount() + ". It resets at "
                                + Instant.ofEpochMilli(((Check.Period) c).resetAtMillis()) + " (UTC).", retryMs,
                        headers);
            }
            default -> new Refusal(429, "insufficient_quota", "insufficient_quota", name,
                    "You exceeded the monthly budget of " + who + ": " + money(used / MICROS) + " of "
                            + money(c.limit() / MICROS) + " " + currency + " spent. It resets at "
                            + Instant.ofEpochMilli(((Check.Period) c).resetAtMillis()) + " (UTC).", retryMs, headers);
        };
    }

    private static String money(double v) {
        return String.format(java.util.Locale.ROOT, "%.2f", v);
    }

    /** The UTC day and month of an instant, with their ends (and the day's start, to know when to reuse it). */
    private record Periods(long dayStart, String day, long dayEnd, String month, long monthEnd,
                           java.util.concurrent.ConcurrentHashMap<String, String[]> keyNames,
                           java.util.concurrent.ConcurrentHashMap<String, String[]> modelNames) {
        /** Key and model ids come from the config; the tables are bounded all the same. */
        private static final int MAX_NAMES = 100_000;

        /**
         * @return a key's state key names (rpm, tpm, concurrency, tokens this day and month, cost this day and month;
         *         indexed by {@code RPM} ... {@code COST_MONTH}), made once per key and day: every exchange of a key is
         *         admitted and charged under them, so they are not concatenated per request
         */
        String[] names(String keyId) {
            String[] n = keyNames.get(keyId);
            if (n == null) {
                String k = "key:" + keyId + ":";
                n = new String[] {k + "rpm", k + "tpm", k + "conc", k + "tok:d:" + day, k + "tok:m:" + month,
                        k + "cost:d:" + day, k + "cost:m:" + month};
                if (keyNames.size() < MAX_NAMES) {
                    keyNames.put(keyId, n);
                }
            }
            return n;
        }

        /** @return a model's state key names (rpm, tpm, concurrency) */
        String[] modelNames(String modelId) {
            String[] n = modelNames.get(modelId);
            if (n == null) {
                String m = "model:" + modelId + ":";
                n = new String[] {m + "rpm", m + "tpm", m + "conc"};
                if (modelNames.size() < MAX_NAMES) {
                    modelNames.put(modelId, n);
                }
            }
            return n;
        }

        static Periods at(long now) {
            LocalDate d = Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC).toLocalDate();
            return new Periods(d.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(), DAY.format(d),
                    d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli(),
                    MONTH.format(d), d.withDayOfMonth(1).plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant()
                            .toEpochMilli(), new java.util.concurrent.ConcurrentHashMap<>(),
                    new java.util.concurrent.ConcurrentHashMap<>());
        }
    }

    /**
     * An admitted request, to charge at the end.
     *
     * @param keyId      the key id
     * @param modelId    the model id, or null
     * @param admittedAt when it was admitted
     * @param estimate   the prompt estimate reserved in token windows and quotas
     * @param checks     the checks it passed
     * @param names      the limit name of each check
     * @param headers    the key's {@code x-ratelimit-*} values
     * @param plan       for the charge: bit {@code i} set when check {@code i} is a token window (its reservation is
     *                   replaced by the actual tokens), and whether the day's and month's token counters hold the
     *                   estimate
     * @param keyNames   the key's state key names on the admission's day (null: worked out at the charge)
     */
    public record Ticket(String keyId, String modelId, long admittedAt, long estimate, List<Check> checks,
                         List<String> names, RateHeaders headers, int plan, String[] keyNames) {
    }
}
