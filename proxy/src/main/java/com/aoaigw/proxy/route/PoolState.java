package com.aoaigw.proxy.route;

import java.util.List;

import com.aoaigw.config.CircuitBreakerSettings;

/**
 * Where the health of every deployment lives: cooldowns after 429, circuit breakers, the last reported PTU
 * utilisation, the last error and recent traffic. One interface so that a shared backend can later hold the same
 * state for several replicas; {@link LocalPoolState} (in process) is the default. Every method takes the current
 * time (epoch ms) from the caller's clock, so the logic is testable with a fake one.
 */
public interface PoolState {
    /** How long a utilisation reading counts without a fresh one. */
    long UTILISATION_TTL_MS = 10_000;

    /**
     * @param id  the deployment
     * @param cb  its effective circuit-breaker settings
     * @param now epoch ms
     * @return whether it may take a request now, and until when it may not
     */
    Availability availability(DeploymentId id, CircuitBreakerSettings cb, long now);

    /**
     * Claims a send: granted unless cooling or open; in half-open only one caller gets the probe.
     *
     * @param id  the deployment
     * @param cb  its settings
     * @param now epoch ms
     * @return true when the caller may send to it
     */
    boolean tryAcquire(DeploymentId id, CircuitBreakerSettings cb, long now);

    /**
     * The deployment answered (any status that is not a failure or a 429, client errors included).
     *
     * @param id  the deployment
     * @param cb  its settings
     * @param now epoch ms
     */
    void succeeded(DeploymentId id, CircuitBreakerSettings cb, long now);

    /**
     * The deployment failed in a way that counts against its circuit.
     *
     * @param id    the deployment
     * @param cb    its settings
     * @param now   epoch ms
     * @param error a short bounded code for the admin page
     */
    void failed(DeploymentId id, CircuitBreakerSettings cb, long now, String error);

    /**
     * The deployment answered 429: no traffic until {@code untilMs}.
     *
     * @param id      the deployment
     * @param cb      its settings (a 429 proves the deployment is alive: it ends a half-open probe well)
     * @param now     epoch ms
     * @param untilMs epoch ms
     */
    void rateLimited(DeploymentId id, CircuitBreakerSettings cb, long now, long untilMs);

    /**
     * A claimed send ended without news about the deployment (the client left): frees a half-open probe.
     *
     * @param id the deployment
     */
    void released(DeploymentId id);

    /**
     * @param id      the deployment
     * @param percent Azure's {@code azure-openai-deployment-utilization}
     * @param now     epoch ms
     */
    void utilisation(DeploymentId id, double percent, long now);

    /**
     * @param now epoch ms
     * @return every deployment seen, for the admin API and metrics
     */
    List<DeploymentStatus> snapshot(long now);

    /** What a deployment can take right now. */
    enum Health {
        /** Serves. */
        OK,
        /** Answered 429; out of rotation until its retry-after passed. */
        COOLING,
        /** Circuit open. */
        OPEN,
        /** Circuit half-open: one probe may pass. */
        HALF_OPEN,
        /** Circuit half-open and the probe is in flight. */
        PROBING;

        /** @return the name used in the admin API and the metric */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * @param health       the state
     * @param untilMs      for cooling/open/probing: when it may be eligible again (epoch ms); else 0
     * @param utilisation  the last reported utilisation still fresh, or negative when none
     */
    record Availability(Health health, long untilMs, double utilisation) {
        /** @return true when a request may be sent now */
        public boolean eligible() {
            return health == Health.OK || health == Health.HALF_OPEN;
        }
    }

    /**
     * One deployment, for display.
     *
     * @param id           the deployment
     * @param health       its state
     * @param untilMs      when cooling/open ends (epoch ms), else 0
     * @param utilisation  the last utilisation still fresh, negative when none
     * @param lastError    the last failure code, or null
     * @param lastErrorAt  when (epoch ms), 0 when none
     * @param served5m     answers served in the last five minutes
     */
    record DeploymentStatus(DeploymentId id, Health health, long untilMs, double utilisation, String lastError,
                            long lastErrorAt, long served5m) {
    }
}
