package com.aoaigw.sim;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link FoundrySim} is started with. Build with {@link #builder()}; {@link #defaults()} is a sim that
 * accepts the key {@code sim-key}, any deployment name, and the Entra client {@code sim-tenant}/{@code sim-client}/
 * {@code sim-secret}.
 *
 * @param apiKeys              values accepted in {@code api-key} or {@code Authorization: Bearer} (default
 *                             {@code ["sim-key"]})
 * @param tenantId             the Entra tenant the token endpoint serves (default {@code sim-tenant})
 * @param clientId             the accepted client id (default {@code sim-client})
 * @param clientSecret         the accepted client secret (default {@code sim-secret})
 * @param tokenLifetimeSeconds lifetime of issued access tokens in seconds (default 3600)
 * @param deployments          named deployments with their own behaviour; names not listed use
 *                             {@code defaultDeployment}
 * @param defaultDeployment    behaviour of deployments not in {@code deployments}
 * @param strictDeployments    when true, a deployment not in {@code deployments} gets 404 DeploymentNotFound; the
 *                             builder sets it to true when deployments are listed, unless told otherwise
 * @param zeroLatency          benchmark mode: answers rendered once and reused, and (unless a default deployment is
 *                             given) no latency for deployments without their own settings
 * @param port                 data-plane port on 127.0.0.1; 0 picks a free one
 * @param tokenPort            HTTPS port of the fake Entra authority; 0 picks a free one
 * @param identityHeader       the secret expected in {@code X-IDENTITY-HEADER} by the managed-identity endpoint;
 *                             null generates a random one at start
 */
public record SimSettings(List<String> apiKeys,
                          String tenantId,
                          String clientId,
                          String clientSecret,
                          long tokenLifetimeSeconds,
                          Map<String, DeploymentSettings> deployments,
                          DeploymentSettings defaultDeployment,
                          boolean strictDeployments,
                          boolean zeroLatency,
                          int port,
                          int tokenPort,
                          String identityHeader) {

    /** Copies the collections so that a settings value never changes after it is built. */
    public SimSettings {
        apiKeys = List.copyOf(apiKeys);
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        deployments = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(deployments));
        Objects.requireNonNull(defaultDeployment, "defaultDeployment");
        if (tokenLifetimeSeconds <= 0) {
            throw new IllegalArgumentException("tokenLifetimeSeconds must be > 0, was " + tokenLifetimeSeconds);
        }
    }

    /** @return the default settings */
    public static SimSettings defaults() {
        return builder().build();
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from these settings */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.apiKeys = apiKeys;
        b.tenantId = tenantId;
        b.clientId = clientId;
        b.clientSecret = clientSecret;
        b.tokenLifetimeSeconds = tokenLifetimeSeconds;
        b.deployments.putAll(deployments);
        b.defaultDeployment = defaultDeployment;
        b.strictDeployments = strictDeployments;
        b.zeroLatency = zeroLatency;
        b.port = port;
        b.tokenPort = tokenPort;
        b.identityHeader = identityHeader;
        return b;
    }

    /**
     * The behaviour of one deployment.
     *
     * @param deployment the deployment name
     * @return its settings, or null when the name is unknown and deployments are strict
     */
    public DeploymentSettings deployment(String deployment) {
        DeploymentSettings d = deployments.get(deployment);
        if (d != null) {
            return d;
        }
        return strictDeployments ? null : defaultDeployment;
    }

    /** Builder of {@link SimSettings}. */
    public static final class Builder {
        private List<String> apiKeys = List.of("sim-key");
        private String tenantId = "sim-tenant";
        private String clientId = "sim-client";
        private String clientSecret = "sim-secret";
        private long tokenLifetimeSeconds = 3600;
        private final Map<String, DeploymentSettings> deployments = new LinkedHashMap<>();
        private DeploymentSettings defaultDeployment;
        private Boolean strictDeployments;
        private boolean zeroLatency;
        private int port;
        private int tokenPort;
        private String identityHeader;

        private Builder() {
        }

        /** @param keys accepted data-plane keys @return this */
        public Builder apiKeys(List<String> keys) {
            this.apiKeys = List.copyOf(keys);
            return this;
        }

        /** @param keys accepted data-plane keys @return this */
        public Builder apiKeys(String... keys) {
            return apiKeys(List.of(keys));
        }

        /** @param value the Entra tenant id @return this */
        public Builder tenantId(String value) {
            this.tenantId = value;
            return this;
        }

        /** @param value the accepted client id @return this */
        public Builder clientId(String value) {
            this.clientId = value;
            return this;
        }

        /** @param value the accepted client secret @return this */
        public Builder clientSecret(String value) {
            this.clientSecret = value;
            return this;
        }

        /** @param seconds lifetime of issued tokens @return this */
        public Builder tokenLifetimeSeconds(long seconds) {
            this.tokenLifetimeSeconds = seconds;
            return this;
        }

        /** @param name deployment name @param settings its behaviour @return this */
        public Builder deployment(String name, DeploymentSettings settings) {
            this.deployments.put(name, settings);
            return this;
        }

        /** @param all deployments by name @return this */
        public Builder deployments(Map<String, DeploymentSettings> all) {
            this.deployments.clear();
            this.deployments.putAll(all);
            return this;
        }

        /** @param settings behaviour of unlisted deployments @return this */
        public Builder defaultDeployment(DeploymentSettings settings) {
            this.defaultDeployment = settings;
            return this;
        }

        /** @param value whether unlisted deployments get 404 @return this */
        public Builder strictDeployments(boolean value) {
            this.strictDeployments = value;
            return this;
        }

        /** @param value benchmark mode: no sleeps, answers reused @return this */
        public Builder zeroLatency(boolean value) {
            this.zeroLatency = value;
            return this;
        }

        /** @param value data-plane port, 0 for a free one @return this */
        public Builder port(int value) {
            this.port = value;
            return this;
        }

        /** @param value Entra authority port, 0 for a free one @return this */
        public Builder tokenPort(int value) {
            this.tokenPort = value;
            return this;
        }

        /** @param value the expected {@code X-IDENTITY-HEADER}; null for a random one @return this */
        public Builder identityHeader(String value) {
            this.identityHeader = value;
            return this;
        }

        /** @return the settings */
        public SimSettings build() {
            boolean strict = strictDeployments != null ? strictDeployments : !deployments.isEmpty();
            // Benchmark mode changes only the implicit default: latency given explicitly (here or later through
            // POST /_sim/config, e.g. a paced stream deployment of the benchmark) is kept.
            DeploymentSettings def = defaultDeployment != null ? defaultDeployment
                    : zeroLatency ? DeploymentSettings.zeroLatency() : DeploymentSettings.defaults();
            return new SimSettings(apiKeys, tenantId, clientId, clientSecret, tokenLifetimeSeconds, deployments, def,
                    strict, zeroLatency, port, tokenPort, identityHeader);
        }
    }
}
