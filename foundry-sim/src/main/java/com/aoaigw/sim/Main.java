package com.aoaigw.sim;

import java.util.Arrays;
import java.util.List;

import io.helidon.config.Config;

/**
 * Runs the simulator as a process. Settings come from environment variables or system properties (see README):
 * {@code SIM_PORT}, {@code SIM_TOKEN_PORT}, {@code SIM_API_KEYS}, {@code SIM_ZERO_LATENCY}, {@code SIM_TTFT_MS},
 * {@code SIM_TOKENS_PER_SECOND}, {@code SIM_TENANT_ID}, {@code SIM_CLIENT_ID}, {@code SIM_CLIENT_SECRET},
 * {@code SIM_TOKEN_LIFETIME_SECONDS}, {@code SIM_IDENTITY_HEADER}. Prints one machine-readable line when ready.
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args ignored
     * @throws InterruptedException when interrupted while running
     */
    public static void main(String[] args) throws InterruptedException {
        Config config = Config.create();
        SimSettings settings = settings(config);
        FoundrySim sim = FoundrySim.start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(sim::stop, "foundry-sim-stop"));
        System.out.println(readyLine(sim));
        System.out.flush();
        Thread.currentThread().join();
    }

    static String readyLine(FoundrySim sim) {
        return "foundry-sim listening port=" + sim.port() + " tokenPort=" + sim.tokenPort()
                + " authority=" + sim.authorityUrl() + " identityEndpoint=" + sim.managedIdentityEndpoint()
                + " identityHeader=" + sim.identityHeader() + " trustStore=" + sim.trustStore()
                + " trustStorePassword=" + sim.trustStorePassword();
    }

    static SimSettings settings(Config c) {
        SimSettings.Builder b = SimSettings.builder()
                .port(c.get("SIM_PORT").asInt().orElse(0))
                .tokenPort(c.get("SIM_TOKEN_PORT").asInt().orElse(0))
                .zeroLatency(c.get("SIM_ZERO_LATENCY").asBoolean().orElse(false));
        c.get("SIM_API_KEYS").asString().ifPresent(v -> {
            List<String> keys = Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            b.apiKeys(keys);
        });
        c.get("SIM_TENANT_ID").asString().ifPresent(b::tenantId);
        c.get("SIM_CLIENT_ID").asString().ifPresent(b::clientId);
        c.get("SIM_CLIENT_SECRET").asString().ifPresent(b::clientSecret);
        c.get("SIM_TOKEN_LIFETIME_SECONDS").asLong().ifPresent(b::tokenLifetimeSeconds);
        c.get("SIM_IDENTITY_HEADER").asString().ifPresent(b::identityHeader);
        var ttft = c.get("SIM_TTFT_MS").asLong();
        var tps = c.get("SIM_TOKENS_PER_SECOND").asDouble();
        // an explicit default deployment keeps its latency even in zero-latency mode, so set one only when asked
        if (ttft.isPresent() || tps.isPresent()) {
            DeploymentSettings d = DeploymentSettings.defaults();
            d = d.withTtftMs(ttft.orElse(d.ttftMs()));
            d = d.withTokensPerSecond(tps.orElse(d.tokensPerSecond()));
            b.defaultDeployment(d);
        }
        return b.build();
    }
}
