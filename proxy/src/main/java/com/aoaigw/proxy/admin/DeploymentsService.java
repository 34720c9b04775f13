package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.proxy.route.DeploymentId;
import com.aoaigw.proxy.route.PoolState;
import com.aoaigw.proxy.route.Pools;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /admin/api/deployments}: every model's deployments with their state ({@code ok}, {@code cooling} or
 * {@code open} with the time it ends, {@code half-open}), last reported utilisation, last error, and share of the
 * model's answers in the last five minutes. Behind the admin security filter like the rest of {@code /admin/api}.
 */
public final class DeploymentsService implements HttpService {
    private final Supplier<GatewayConfig> config;
    private final Pools pools;
    private final ObjectMapper mapper = AdminJson.mapper();

    /**
     * @param config the config in effect (null when none is loaded)
     * @param pools  the pool state
     */
    public DeploymentsService(Supplier<GatewayConfig> config, Pools pools) {
        this.config = config;
        this.pools = pools;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/deployments", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        long now = pools.now();
        ObjectNode out = view(config.get(), pools.state().snapshot(now), now, mapper);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.toString());
    }

    /**
     * @param config the config (null: no models)
     * @param states the state of every deployment seen
     * @param now    epoch ms
     * @param mapper for the nodes
     * @return the view
     */
    static ObjectNode view(GatewayConfig config, List<PoolState.DeploymentStatus> states, long now,
                           ObjectMapper mapper) {
        Map<DeploymentId, PoolState.DeploymentStatus> byId = new HashMap<>();
        states.forEach(s -> byId.put(s.id(), s));
        ObjectNode out = mapper.createObjectNode();
        out.put("now", Instant.ofEpochMilli(now).toString());
        ArrayNode models = out.putArray("models");
        if (config == null) {
            return out;
        }
        for (ModelRoute m : config.models()) {
            List<ModelRoute.Deployment> deps = m.effectiveDeployments();
            long total = 0;
            for (ModelRoute.Deployment d : deps) {
                PoolState.DeploymentStatus s = byId.get(new DeploymentId(d.upstream(), d.deployment()));
                total += s == null ? 0 : s.served5m();
            }
            ObjectNode mo = models.addObject();
            mo.put("model", m.id());
            ArrayNode fb = mo.putArray("fallbacks");
            m.fallbacks().forEach(fb::add);
            ArrayNode da = mo.putArray("deployments");
            for (ModelRoute.Deployment d : deps) {
                PoolState.DeploymentStatus s = byId.get(new DeploymentId(d.upstream(), d.deployment()));
                ObjectNode o = da.addObject();
                o.put("upstream", d.upstream());
                o.put("deployment", d.deployment());
                o.put("priority", d.priority());
                o.put("weight", d.weight());
                if (d.spillAbovePercent() != null) {
                    o.put("spillAbovePercent", d.spillAbovePercent());
                } else {
                    o.putNull("spillAbovePercent");
                }
                PoolState.Health h = s == null ? PoolState.Health.OK : s.health();
                // an in-flight probe is still "half-open" to an operator
                o.put("state", h == PoolState.Health.PROBING ? "half-open" : h.label());
                if (s != null && s.untilMs() > 0 && (h == PoolState.Health.COOLING || h == PoolState.Health.OPEN)) {
                    o.put("until", Instant.ofEpochMilli(s.untilMs()).toString());
                } else {
                    o.putNull("until");
                }
                if (s != null && s.utilisation() >= 0) {
                    o.put("utilisation", s.utilisation());
                } else {
                    o.putNull("utilisation");
                }
                o.put("lastError", s == null ? null : s.lastError());
                if (s != null && s.lastErrorAt() > 0) {
                    o.put("lastErrorAt", Instant.ofEpochMilli(s.lastErrorAt()).toString());
                } else {
                    o.putNull("lastErrorAt");
                }
                long served = s == null ? 0 : s.served5m();
                o.put("served5m", served);
                o.put("share5m", total == 0 ? 0.0 : Math.round(1000.0 * served / total) / 1000.0);
            }
        }
        return out;
    }
}
