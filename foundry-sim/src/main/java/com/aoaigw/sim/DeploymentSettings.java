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
 */
public record DeploymentSettings(Boolean reasoning, long ttftMs, double tokensPerSecond, Fault fault) {

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
        return new DeploymentSettings(value, ttftMs, tokensPerSecond, fault);
    }

    /**
     * @param ms time to first token in milliseconds
     * @return a copy with that TTFT
     */
    public DeploymentSettings withTtftMs(long ms) {
        return new DeploymentSettings(reasoning, ms, tokensPerSecond, fault);
    }

    /**
     * @param perSecond content deltas per second
     * @return a copy with that speed
     */
    public DeploymentSettings withTokensPerSecond(double perSecond) {
        return new DeploymentSettings(reasoning, ttftMs, perSecond, fault);
    }

    /**
     * @param value the default fault
     * @return a copy with that default fault
     */
    public DeploymentSettings withFault(Fault value) {
        return new DeploymentSettings(reasoning, ttftMs, tokensPerSecond, value);
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
