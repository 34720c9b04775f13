package com.aoaigw.sim;

/**
 * How one simulated deployment behaves.
 *
 * @param reasoning       whether the deployment is a reasoning model (emits a reasoning item and reasoning tokens);
 *                        {@code null} decides from the name ({@code o<digit>...} or {@code gpt-5...} are reasoning)
 * @param ttftMs          time to first token in milliseconds: the wait before the headers of a non-stream answer
 *                        (plus the generation time), or before the first event of a stream
 * @param tokensPerSecond content deltas per second; the pause between two deltas is {@code 1000 / tokensPerSecond}
 *                        ms; {@code 0} or less means no pause
 * @param fault           the fault injected into every request for this deployment unless the request names its
 *                        own with {@code x-sim-fault} ({@link Fault#NONE} for none)
 * @param faultCount      when above 0, only the first {@code faultCount} requests for this deployment get
 *                        {@code fault} (counted since start or the last reset of the counts), later ones succeed;
 *                        the per-deployment form of {@code x-sim-fault-count}, for callers (a proxy) that do not
 *                        forward {@code x-sim-*} headers
 * @param tokens          content deltas of every answer, like {@code x-sim-tokens}; null for the natural length
 * @param capacity        requests and tokens per minute before it answers 429, and whether it reports PTU
 *                        utilisation; null for unlimited
 */
public record DeploymentSettings(Boolean reasoning, long ttftMs, double tokensPerSecond, Fault fault, int faultCount,
                                 Integer tokens, Capacity capacity) {

    /** Default time to first token, milliseconds. Small so that tests stay fast. */
    public static final long DEFAULT_TTFT_MS = 5;
    /** Default content deltas per second (one per millisecond). */
    public static final double DEFAULT_TOKENS_PER_SECOND = 1000;

    /** Normalises a missing fault to {@link Fault#NONE}. */
    public DeploymentSettings {
        fault = fault == null ? Fault.NONE : fault;
        if (ttftMs < 0) {
            throw new IllegalArgumentException("ttftMs must be >= 0, was " + ttftMs);
        }
        if (faultCount < 0) {
            throw new IllegalArgumentException("faultCount must be >= 0, was " + faultCount);
        }
        if (tokens != null && tokens < 0) {
            throw new IllegalArgumentException("tokens must be >= 0, was " + tokens);
        }
    }

    /**
     * Settings with every request faulted (no count) and answers of natural length.
     *
     * @param reasoning       see the record
     * @param ttftMs          see the record
     * @param tokensPerSecond see the record
     * @param fault           see the record
     */
    public DeploymentSettings(Boolean reasoning, long ttftMs, double tokensPerSecond, Fault fault) {
        this(reasoning, ttftMs, tokensPerSecond, fault, 0, null, null);
    }

    /** @return the defaults: reasoning decided by name, {@value #DEFAULT_TTFT_MS} ms TTFT, 1000 deltas/s, no fault */
    public static DeploymentSettings defaults() {
        return new DeploymentSettings(null, DEFAULT_TTFT_MS, DEFAULT_TOKENS_PER_SECOND, Fault.NONE);
    }

    /** @return settings with no latency at all (benchmark mode) */
    public static DeploymentSettings zeroLatency() {
        return new DeploymentSettings(null, 0, 0, Fault.NONE);
    }

    /**
     * @param value true for a reasoning model, false for a plain one, null to decide by name
     * @return a copy with that reasoning flag
     */
    public DeploymentSettings withReasoning(Boolean value) {
        return new DeploymentSettings(value, ttftMs, tokensPerSecond, fault, faultCount, tokens, capacity);
    }

    /**
     * @param ms time to first token in milliseconds
     * @return a copy with that TTFT
     */
    public DeploymentSettings withTtftMs(long ms) {
        return new DeploymentSettings(reasoning, ms, tokensPerSecond, fault, faultCount, tokens, capacity);
    }

    /**
     * @param perSecond content deltas per second
     * @return a copy with that speed
     */
    public DeploymentSettings withTokensPerSecond(double perSecond) {
        return new DeploymentSettings(reasoning, ttftMs, perSecond, fault, faultCount, tokens, capacity);
    }

    /**
     * @param value the default fault
     * @return a copy with that default fault
     */
    public DeploymentSettings withFault(Fault value) {
        return new DeploymentSettings(reasoning, ttftMs, tokensPerSecond, value, faultCount, tokens, capacity);
    }

    /**
     * @param count how many requests get the fault (0 = all)
     * @return a copy with that fault count
     */
    public DeploymentSettings withFaultCount(int count) {
        return new DeploymentSettings(reasoning, ttftMs, tokensPerSecond, fault, count, tokens, capacity);
    }

    /**
     * @param value content deltas of every answer, or null for the natural length
     * @return a copy with that answer length
     */
    public DeploymentSettings withTokens(Integer value) {
        return new DeploymentSettings(reasoning, ttftMs, tokensPerSecond, fault, faultCount, value, capacity);
    }

    /**
     * @param value the capacity, or null for unlimited
     * @return a copy with that capacity
     */
    public DeploymentSettings withCapacity(Capacity value) {
        return new DeploymentSettings(reasoning, ttftMs, tokensPerSecond, fault, faultCount, tokens, value);
    }

    /**
     * Whether a deployment with this name and these settings behaves as a reasoning model.
     *
     * @param deployment the deployment name
     * @return true for a reasoning model
     */
    public boolean reasoningFor(String deployment) {
        if (reasoning != null) {
            return reasoning;
        }
        return looksLikeReasoning(deployment);
    }

    static boolean looksLikeReasoning(String deployment) {
        if (deployment == null || deployment.isEmpty()) {
            return false;
        }
        String d = deployment.toLowerCase(java.util.Locale.ROOT);
        return d.startsWith("gpt-5") || (d.length() > 1 && d.charAt(0) == 'o' && Character.isDigit(d.charAt(1)));
    }
}
