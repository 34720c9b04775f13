package com.aoaigw.proxy.route;

import java.util.ArrayList;
import java.util.List;

import com.aoaigw.config.CircuitBreakerSettings;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.UpstreamSettings;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Selection, cooldown, breaker and utilisation expiry over {@link LocalPoolState}, with a fake clock. */
class DeploymentPoolTest {
    private static final CircuitBreakerSettings CB = new CircuitBreakerSettings(2, 0.5, 60_000L, 20, 30_000L);

    private static ModelRoute.Deployment dep(String up, String name, int priority, int weight, Integer spill) {
        return new ModelRoute.Deployment(up, name, priority, weight, null, spill);
    }

    private static DeploymentPool pool(PoolState state, ModelRoute.Deployment... deps) {
        ModelRoute m = new ModelRoute("m", null, null, null, List.of(deps), null, null, null, null);
        UpstreamSettings s = new UpstreamSettings(null, null, null, null, null, null, null, null, null, null, null,
                null, null, CB);
        return new DeploymentPool(m, s, state);
    }

    private static int pick(DeploymentPool p, long now) {
        return p.select(new boolean[p.size()], now);
    }

    @Test
    void weightsThreeAndOneGiveExactlySeventyFiveAndTwentyFiveOfFourHundred() {
        DeploymentPool p = pool(new LocalPoolState(), dep("a", "d", 0, 3, null), dep("b", "d", 0, 1, null));
        int[] n = new int[2];
        List<Integer> firstEight = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            int k = pick(p, 0);
            n[k]++;
            if (i < 8) {
                firstEight.add(k);
            }
        }
        assertEquals(300, n[0]);
        assertEquals(100, n[1]);
        // smooth: interleaved, never four in a row to the heavy one
        assertEquals(List.of(0, 0, 1, 0, 0, 0, 1, 0), firstEight);
    }

    @Test
    void equalWeightsAlternate() {
        DeploymentPool p = pool(new LocalPoolState(), dep("a", "d", 0, 1, null), dep("b", "d", 0, 1, null));
        assertEquals(0, pick(p, 0));
        assertEquals(1, pick(p, 0));
        assertEquals(0, pick(p, 0));
    }

    @Test
    void lowerPriorityServesAndTheNextTierTakesOverWhenItIsTriedOrCooling() {
        LocalPoolState st = new LocalPoolState();
        DeploymentPool p = pool(st, dep("b", "d", 1, 5, null), dep("a", "d", 0, 1, null));
        assertEquals(1, pick(p, 0));
        assertEquals(0, p.select(new boolean[] {false, true}, 0), "the request already tried the primary");
        st.rateLimited(new DeploymentId("a", "d"), CB, 1000, 3000);
        assertEquals(0, pick(p, 1000));
        assertEquals(0, pick(p, 2999));
        assertEquals(1, pick(p, 3000), "the primary is back right after its retry-after");
    }

    @Test
    void everythingCoolingMeansNoneAndTheSoonestTimeIsReported() {
        LocalPoolState st = new LocalPoolState();
        DeploymentPool p = pool(st, dep("a", "d", 0, 1, null), dep("b", "d", 1, 1, null));
        st.rateLimited(new DeploymentId("a", "d"), CB, 0, 5000);
        st.rateLimited(new DeploymentId("b", "d"), CB, 0, 2000);
        assertEquals(-1, pick(p, 100));
        assertEquals(2000, p.soonestEligible(100));
        assertEquals(1, pick(p, 2000));
    }

    @Test
    void anOpenCircuitIsSkippedThenGetsExactlyOneProbeAndClosesOnSuccess() {
        LocalPoolState st = new LocalPoolState();
        DeploymentId a = new DeploymentId("a", "d");
        DeploymentPool p = pool(st, dep("a", "d", 0, 1, null), dep("b", "d", 1, 1, null));
        st.failed(a, CB, 0, "upstream_connection_refused");
        st.failed(a, CB, 1, "upstream_connection_refused");
        assertEquals(PoolState.Health.OPEN, st.availability(a, CB, 2).health());
        assertEquals(1, pick(p, 2));
        assertEquals(2, p.soonestEligible(2), "b is eligible, so the soonest is now");
        assertEquals(PoolState.Health.HALF_OPEN, st.availability(a, CB, 30_001).health());
        assertEquals(0, pick(p, 30_001), "the probe");
        assertEquals(1, pick(p, 30_002), "only one probe at a time");
        assertEquals(PoolState.Health.PROBING, st.availability(a, CB, 30_002).health());
        st.succeeded(a, CB, 30_003);
        assertEquals(PoolState.Health.OK, st.availability(a, CB, 30_004).health());
        assertEquals(0, pick(p, 30_004));
    }

    @Test
    void aDeploymentAboveItsUtilisationThresholdIsSkippedUntilTheReadingExpires() {
        LocalPoolState st = new LocalPoolState();
        DeploymentId ptu = new DeploymentId("a", "ptu");
        DeploymentPool p = pool(st, dep("a", "ptu", 0, 1, 90), dep("b", "payg", 1, 1, null));
        st.utilisation(ptu, 95, 1000);
        assertEquals(1, pick(p, 1000));
        assertEquals(1, pick(p, 1000 + PoolState.UTILISATION_TTL_MS - 1));
        assertEquals(0, pick(p, 1000 + PoolState.UTILISATION_TTL_MS), "the reading expired");
        st.utilisation(ptu, 90, 20_000);
        assertEquals(0, pick(p, 20_000), "at the threshold is not above it");
    }

    @Test
    void aSpilledDeploymentStillServesWhenNoOtherCan() {
        LocalPoolState st = new LocalPoolState();
        DeploymentPool p = pool(st, dep("a", "ptu", 0, 1, 90), dep("b", "payg", 1, 1, null));
        st.utilisation(new DeploymentId("a", "ptu"), 99, 0);
        st.rateLimited(new DeploymentId("b", "payg"), CB, 0, 10_000);
        assertEquals(0, pick(p, 1));
    }

    @Test
    void aDeploymentInTwoModelsSharesItsHealth() {
        LocalPoolState st = new LocalPoolState();
        DeploymentPool p1 = pool(st, dep("a", "d", 0, 1, null), dep("b", "d", 1, 1, null));
        DeploymentPool p2 = pool(st, dep("a", "d", 0, 1, null));
        st.rateLimited(new DeploymentId("a", "d"), CB, 0, 1000);
        assertEquals(1, pick(p1, 10));
        assertEquals(-1, pick(p2, 10));
    }
}
