package com.aoaigw.proxy.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entra token faults, with the proxy as a child process (it must trust the simulator's authority certificate,
 * a JVM-wide setting) using a client secret against foundry-sim's authority, reached through a {@link TcpRelay}
 * that the test switches off and on: the token endpoint down at start, down mid-traffic, tokens revoked (Azure
 * answers 401) and tokens that expire every few seconds during traffic.
 */
@Timeout(170)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TokenFaultsIT {
    static final String KEY = "token-client-key";
    @TempDir
    static Path dir;
    static FoundrySim sim;
    static TcpRelay authority;
    static ChildProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .strictDeployments(false).build());
        authority = new TcpRelay(sim.tokenPort());
        authority.down(); // the token endpoint is down when the proxy starts
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"upstream":{"maxRetries":0,"connectTimeoutMs":2000,"firstByteTimeoutMs":20000}},
                 "auth":{"mode":"servicePrincipal","tenantId":"sim-tenant","clientId":"sim-client",
                   "clientSecret":"sim-secret","authorityHost":"https://127.0.0.1:%d"},
                 "apiKeys":[{"id":"t","key":"%s"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim"}]}
                """.formatted(authority.port(), KEY, sim.baseUrl()));
        proxy = ChildProxy.start(Map.of("CONFIG_PATH", config.toString(), "PORT", "0", "HOST", "127.0.0.1"),
                List.of("-Djavax.net.ssl.trustStore=" + sim.trustStore(),
                        "-Djavax.net.ssl.trustStorePassword=" + sim.trustStorePassword(),
                        "-Djavax.net.ssl.trustStoreType=PKCS12"));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (authority != null) {
            authority.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    static Timed chat(boolean stream) {
        return Rig.post(proxy.base() + "/v1/chat/completions", KEY, Rig.chat("gpt-4o-mini", stream));
    }

    static void simConfig(String json) {
        Timed t = Rig.post(sim.baseUrl() + "/_sim/config", null, json);
        assertEquals(200, t.status(), t.body());
    }

    @Test
    @Order(1)
    void tokenEndpointDownAtStartIsA502ThenRecovers() throws Exception {
        Timed down = chat(false);
        Rig.assertError(down, 502, "upstream_auth_failed");
        assertTrue(down.millis() < 30_000, "bounded: " + down.millis());
        assertEquals(200, Rig.get(proxy.base() + "/healthz").status(), "the proxy itself is healthy");
        authority.up();
        Timed ok = chat(false);
        assertEquals(200, ok.status(), ok.body() + "\n" + proxy.output());
        assertEquals(200, chat(true).status());
    }

    @Test
    @Order(2)
    void tokenEndpointDownMidTrafficKeepsServingWithTheCachedToken() {
        assertEquals(200, chat(false).status());
        long tokens = sim.stats().tokenRequests();
        authority.down();
        try {
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                statuses.add(chat(i % 2 == 0).status());
            }
            assertTrue(statuses.stream().allMatch(s -> s == 200), statuses.toString());
            assertEquals(tokens, sim.stats().tokenRequests(), "the cached token was used");
        } finally {
            try {
                authority.up();
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    @Order(3)
    void revokedTokenIsReplacedTransparently() {
        assertEquals(200, chat(false).status());
        long tokens = sim.stats().tokenRequests();
        sim.revokeTokens(); // Azure now answers 401 to the cached token
        Timed t = chat(false);
        assertEquals(200, t.status(), t.body());
        assertTrue(sim.stats().tokenRequests() > tokens, "a fresh token was fetched after the 401");
        Timed s = chat(true);
        assertEquals(200, s.status(), s.body());
    }

    @Test
    @Order(4)
    void revokedTokenWithTheTokenEndpointDownIsAnOpenAi502() throws Exception {
        assertEquals(200, chat(false).status());
        sim.revokeTokens();
        authority.down();
        try {
            Timed t = chat(false);
            assertTrue(t.status() == 502 || t.status() == 401, t.status() + " " + t.body());
            Rig.openAiError(t.body());
        } finally {
            authority.up();
        }
        Timed ok = chat(false);
        assertEquals(200, ok.status(), ok.body());
    }

    @Test
    @Order(5)
    void tokensExpiringDuringTrafficAreRenewed() {
        simConfig("{\"tokenLifetimeSeconds\":2}");
        try {
            sim.revokeTokens();
            long tokens = sim.stats().tokenRequests();
            List<Integer> statuses = new ArrayList<>();
            long end = System.nanoTime() + 5_000_000_000L;
            for (int i = 0; i < 40 && System.nanoTime() < end; i++) {
                statuses.add(chat(i % 2 == 0).status());
                Rig.pause(200);
            }
            assertTrue(statuses.stream().allMatch(s -> s == 200), statuses.toString());
            assertTrue(sim.stats().tokenRequests() >= tokens + 2, "tokens were renewed as they expired");
        } finally {
            simConfig("{\"tokenLifetimeSeconds\":3600}");
        }
    }
}
