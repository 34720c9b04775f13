package com.aoaigw.proxy.route;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import com.aoaigw.config.CircuitBreakerSettings;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.UpstreamSettings;

/**
 * The deployments of one model and the choice among them. Lowest {@code priority} tier first; inside a tier,
 * smooth weighted round robin by {@code weight} (deterministic: weights 3 and 1 give exactly 3 of every 4 requests
 * to the first, interleaved, never 3 in a row to one and then 1). Deployments that are cooling down, open, or
 * already tried by this request are skipped; a deployment whose last PTU utilisation is above its
 * {@code spillAbovePercent} is skipped too, but only while another deployment can serve (spilling is a preference,
 * not an outage).
 *
 * <p>One instance per (config version, model), so the round-robin counters live as long as the config; the health
 * of each deployment lives in the {@link PoolState}, shared across models and config versions.
 */
public final class DeploymentPool {
    private final String model;
    private final Member[] members;
    private final Tier[] tiers;
    private final PoolState state;

    /**
     * @param model    the model
     * @param settings the upstream settings (circuit-breaker defaults)
     * @param state    where health lives
     */
    public DeploymentPool(ModelRoute model, UpstreamSettings settings, PoolState state) {
        this.model = model.id();
        this.state = state;
        List<ModelRoute.Deployment> deps = model.effectiveDeployments();
        members = new Member[deps.size()];
        TreeMap<Integer, List<Integer>> byPriority = new TreeMap<>();
        for (int i = 0; i < deps.size(); i++) {
            ModelRoute.Deployment d = deps.get(i);
            members[i] = new Member(i, new DeploymentId(d.upstream(), d.deployment()), d.weight(),
                    settings.circuitBreaker().over(d.circuitBreaker()), d.spillAbovePercent());
            byPriority.computeIfAbsent(d.priority(), k -> new ArrayList<>()).add(i);
        }
        tiers = new Tier[byPriority.size()];
        int t = 0;
        for (List<Integer> idx : byPriority.values()) {
            tiers[t++] = new Tier(idx.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** @return the public model id */
    public String model() {
        return model;
    }

    /** @return the number of deployments */
    public int size() {
        return members.length;
    }

    /**
     * @param index a deployment index (position in {@code effectiveDeployments()})
     * @return that member
     */
    public Member member(int index) {
        return members[index];
    }

    /**
     * Chooses the deployment for the next attempt of a request and claims it (a half-open circuit gives its one
     * probe to the first caller only).
     *
     * @param tried indices this request already tried (not changed)
     * @param now   epoch ms
     * @return the index, or -1 when no deployment can take it now
     */
    public int select(boolean[] tried, long now) {
        boolean[] skip = tried.clone();
        for (int pass = 0; pass < 2; pass++) {
            boolean soft = pass == 1;
            boolean anySpilled = false;
            for (Tier tier : tiers) {
                while (true) {
                    int pick = tier.pick(skip, soft, now);
                    if (pick == SPILLED_ONLY) {
                        anySpilled = true;
                        break;
                    }
                    if (pick < 0) {
                        break;
                    }
                    Member m = members[pick];
                    if (state.tryAcquire(m.id(), m.breaker(), now)) {
                        return pick;
                    }
                    // lost a race for a half-open probe, or it just started cooling: the next one
                    skip[pick] = true;
                }
            }
            if (!anySpilled) {
                return -1;
            }
        }
        return -1;
    }

    /**
     * @param now epoch ms
     * @return the earliest time (epoch ms) any deployment becomes eligible again, or {@code now} when one is
     */
    public long soonestEligible(long now) {
        long soonest = Long.MAX_VALUE;
        for (Member m : members) {
            PoolState.Availability a = state.availability(m.id(), m.breaker(), now);
            long at = a.eligible() ? now : a.untilMs();
            soonest = Math.min(soonest, at);
        }
        return soonest == Long.MAX_VALUE ? now : soonest;
    }

    private static final int SPILLED_ONLY = -2;

    /** The deployments of one priority, with their smooth-weighted-round-robin counters. */
    private final class Tier {
        private final int[] indices;
        private final long[] current;

        Tier(int[] indices) {
            this.indices = indices;
            this.current = new long[indices.length];
        }

        /**
         * @return the chosen index; -1 when none is eligible; {@link #SPILLED_ONLY} when the only eligible ones are
         *         above their utilisation threshold and {@code soft} is false
         */
        int pick(boolean[] skip, boolean soft, long now) {
            boolean spilled = false;
            boolean[] ok = new boolean[indices.length];
            int n = 0;
            for (int k = 0; k < indices.length; k++) {
                int i = indices[k];
                if (skip[i]) {
                    continue;
                }
                Member m = members[i];
                PoolState.Availability a = state.availability(m.id(), m.breaker(), now);
                if (!a.eligible()) {
                    continue;
                }
                if (!soft && m.spillAbovePercent() != null && a.utilisation() > m.spillAbovePercent()) {
                    spilled = true;
                    continue;
                }
                ok[k] = true;
                n++;
            }
            if (n == 0) {
                return spilled ? SPILLED_ONLY : -1;
            }
            synchronized (this) {
                long total = 0;
                int best = -1;
                for (int k = 0; k < indices.length; k++) {
                    if (!ok[k]) {
                        continue;
                    }
                    int w = members[indices[k]].weight();
                    current[k] += w;
                    total += w;
                    if (best < 0 || current[k] > current[best]) {
                        best = k;
                    }
                }
                current[best] -= total;
                return indices[best];
            }
        }
    }

    /**
     * One deployment of the pool.
     *
     * @param index             position in the model's deployments
     * @param id                the deployment
     * @param weight            its weight in its tier
     * @param breaker           its effective circuit-breaker settings
     * @param spillAbovePercent its utilisation threshold, or null
     */
    public record Member(int index, DeploymentId id, int weight, CircuitBreakerSettings breaker,
                         Integer spillAbovePercent) {
    }
}
