package com.aoaigw.proxy.usage;

import java.util.Map;
import java.util.TreeMap;

/**
 * The usage metrics of one group over one period: counts and token sums that add, and latency and time-to-first-
 * token histograms with fixed buckets that add too, so cells of replicas and periods merge exactly. Not
 * thread-safe: the owner synchronises.
 */
public final class UsageCell {
    /** Distinct error codes kept per cell; more are counted under {@link #OTHER_CODE}. */
    static final int MAX_CODES = 32;
    /** The label of error codes beyond {@link #MAX_CODES}. */
    static final String OTHER_CODE = "other";
    /** The longest error code kept. */
    static final int MAX_CODE_LENGTH = 64;

    long requests;
    long errors;
    /** Null until the first error (most cells have none). */
    private Map<String, Long> errorsByCode;
    long promptTokens;
    long cachedTokens;
    long completionTokens;
    long reasoningTokens;
    /** The cost of the priced requests, in billionths of the currency unit. */
    long costNanos;
    /** Requests of a model with pricing: cost is null while this is 0. */
    long pricedRequests;
    final Histogram latency = new Histogram();
    final Histogram ttft = new Histogram();

    /** @param e one more request */
    public void add(UsageEvent e) {
        requests++;
        if (e.failed()) {
            errors++;
            addCode(codeOf(e), 1);
        }
        promptTokens += Math.max(0, e.promptTokens());
        cachedTokens += Math.max(0, e.cachedTokens());
        completionTokens += Math.max(0, e.completionTokens());
        reasoningTokens += Math.max(0, e.reasoningTokens());
        if (e.costNanos() >= 0) {
            costNanos += e.costNanos();
            pricedRequests++;
        }
        latency.add(e.latencyMs());
        if (e.ttftMs() >= 0) {
            ttft.add(e.ttftMs());
        }
    }

    /**
     * @param e a failed request
     * @return its error code, or its status when it has none
     */
    static String codeOf(UsageEvent e) {
        String c = e.errorCode();
        if (c == null || c.isBlank()) {
            return Integer.toString(e.status());
        }
        return c.length() > MAX_CODE_LENGTH ? c.substring(0, MAX_CODE_LENGTH) : c;
    }

    void addCode(String code, long n) {
        if (errorsByCode == null) {
            errorsByCode = new TreeMap<>();
        }
        if (!errorsByCode.containsKey(code) && errorsByCode.size() >= MAX_CODES) {
            code = OTHER_CODE;
        }
        errorsByCode.merge(code, n, Long::sum);
    }

    /** @param o added to this cell */
    public void merge(UsageCell o) {
        requests += o.requests;
        errors += o.errors;
        if (o.errorsByCode != null) {
            o.errorsByCode.forEach(this::addCode);
        }
        promptTokens += o.promptTokens;
        cachedTokens += o.cachedTokens;
        completionTokens += o.completionTokens;
        reasoningTokens += o.reasoningTokens;
        costNanos += o.costNanos;
        pricedRequests += o.pricedRequests;
        latency.merge(o.latency);
        ttft.merge(o.ttft);
    }

    /** @return a copy */
    public UsageCell copy() {
        UsageCell c = new UsageCell();
        c.merge(this);
        return c;
    }

    /** @return requests */
    public long requests() {
        return requests;
    }

    /** @return requests answered with a status of 400 or more */
    public long errors() {
        return errors;
    }

    /** @return errors by error code (or status when there was no code) */
    public Map<String, Long> errorsByCode() {
        return errorsByCode == null ? Map.of() : java.util.Collections.unmodifiableMap(errorsByCode);
    }

    /** @return prompt tokens */
    public long promptTokens() {
        return promptTokens;
    }

    /** @return cached prompt tokens */
    public long cachedTokens() {
        return cachedTokens;
    }

    /** @return completion tokens */
    public long completionTokens() {
        return completionTokens;
    }

    /** @return reasoning tokens */
    public long reasoningTokens() {
        return reasoningTokens;
    }

    /** @return the cost, or null when no request of a priced model was counted */
    public Double cost() {
        return pricedRequests == 0 ? null : costNanos / 1e9;
    }

    /** @return the latency histogram (do not change it) */
    public Histogram latency() {
        return latency;
    }

    /** @return the time-to-first-token histogram (do not change it) */
    public Histogram ttft() {
        return ttft;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsageCell c && requests == c.requests && errors == c.errors
                && errorsByCode().equals(c.errorsByCode()) && promptTokens == c.promptTokens
                && cachedTokens == c.cachedTokens && completionTokens == c.completionTokens
                && reasoningTokens == c.reasoningTokens && costNanos == c.costNanos
                && pricedRequests == c.pricedRequests && latency.equals(c.latency) && ttft.equals(c.ttft);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(requests) * 31 + Long.hashCode(promptTokens + completionTokens);
    }

    @Override
    public String toString() {
        return "UsageCell[requests=" + requests + ", errors=" + errorsByCode() + ", prompt=" + promptTokens
                + ", completion=" + completionTokens + ", costNanos=" + costNanos + "]";
    }
}
