package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.proxy.route.DeploymentId;
import com.aoaigw.proxy.route.LocalPoolState;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.route.PoolState;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.Fault;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;

/**
 * The circuit of a deployment through its whole cycle, with real upstream calls to two simulators and a fake clock
 * for the pool (open → half-open after {@code openMs} → a failed probe re-opens → a good probe closes), so the test
 * needs no sleep.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailoverLoopIT {
    private FoundrySim a;
    private FoundrySim b;
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final Pools pools = new Pools(new LocalPoolState(), clock::get);
    private final Watchdog watchdog = new Watchdog();
    private FailoverLoop loop;
    private GatewayConfig config;

    @BeforeAll
    void start() {
        // the first three requests to "flaky" fail with 503, later ones succeed
        a = FoundrySim.start(SimSettings.builder().strictDeployments(false)
                .deployment("flaky", DeploymentSettings.defaults().withFault(Fault.UNAVAILABLE).withFaultCount(3))
                .build());
        b = FoundrySim.start(SimSettings.defaults());
        config = new ConfigLoader().load("""
                {"server":{"upstream":{"circuitBreaker":{"failureThreshold":2,"openMs":30000}}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"k","key":"k-0123456789abcdef"}],
                 "upstreams":[{"name":"a","baseUrl":"%s"},{"name":"b","baseUrl":"%s"}],
                 "models":[{"id":"m","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"flaky"},
                                                      {"upstream":"b","deployment":"ok","priority":1}]}]}
                """.formatted(a.baseUrl(), b.baseUrl())).config();
        UpstreamClient client = new HttpUpstreamClient(config.server().upstream(), new CredentialCache());
        loop = new FailoverLoop(client, new ModelRouter(), pools);
    }

    @AfterAll
    void stop() {
        watchdog.close();
        a.stop();
        b.stop();
    }

    /** @return "upstream/deployment" that answered */
    private String call() {
        ModelRoute m = config.model("m").orElseThrow();
        FailoverLoop.RequestFactory f = p -> new UpstreamClient.Request(p.target(),
                ("{\"model\":\"" + p.deployment().deployment() + "\",\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"hi\"}]}").getBytes(StandardCharsets.UTF_8), false, "req-" + clock.get(),
                config.effectiveAuth(p.upstream()).resolve(), List.of());
        try (Watchdog.Watch w = watchdog.watch(System.nanoTime() + TimeUnit.SECONDS.toNanos(20))) {
            FailoverLoop.Result r = loop.run(config, RouteKey.CHAT, List.of(m), false, f, w);
            try (var up = r.answer().response()) {
                assertEquals(200, up.status());
                up.inputStream().readAllBytes();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return r.plan().upstream().name() + "/" + r.plan().deployment().deployment();
        }
    }

    private PoolState.Health flaky() {
        return pools.state().availability(new DeploymentId("a", "flaky"),
                config.server().upstream().circuitBreaker(), clock.get()).health();
    }

    @Test
    void openThenHalfOpenThenAFailedProbeReopensThenAGoodProbeCloses() {
        assertEquals("b/ok", call(), "503 from flaky, failed over");
        assertEquals(PoolState.Health.OK, flaky());
        assertEquals("b/ok", call(), "second 503: the circuit opens");
        assertEquals(PoolState.Health.OPEN, flaky());
        assertEquals(2, a.requests().size());

        clock.addAndGet(29_999);
        assertEquals("b/ok", call(), "still open: straight to the next deployment");
        assertEquals(2, a.requests().size(), "no request to an open circuit");

        clock.addAndGet(1);
        assertEquals(PoolState.Health.HALF_OPEN, flaky());
        assertEquals("b/ok", call(), "the probe gets the third 503 and fails over");
        assertEquals(3, a.requests().size());
        assertEquals(PoolState.Health.OPEN, flaky(), "a failed probe opens the circuit again");
        assertEquals("b/ok", call());
        assertEquals(3, a.requests().size());

        clock.addAndGet(30_000);
        assertEquals("a/flaky", call(), "the probe succeeds");
        assertEquals(PoolState.Health.OK, flaky(), "and closes the circuit");
        assertEquals("a/flaky", call());
        assertEquals(5, a.requests().size());
    }
}
