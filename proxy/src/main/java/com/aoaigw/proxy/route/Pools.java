package com.aoaigw.proxy.route;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;

/**
 * The deployment pools of the current config and the one {@link PoolState} behind them. A pool (with its
 * round-robin counters) is built once per config version and model; the state outlives config versions, so a
 * reload does not forget that a deployment is cooling down or open.
 */
public final class Pools {
    private final PoolState state;
    private final LongSupplier clock;
    private volatile Cache cache = new Cache(null, new ConcurrentHashMap<>());

    /**
     * @param state where deployment health lives
     * @param clock epoch milliseconds (a fake one in tests)
     */
    public Pools(PoolState state, LongSupplier clock) {
        this.state = state;
        this.clock = clock;
    }

    /** @return in-process state and the system clock */
    public static Pools local() {
        return new Pools(new LocalPoolState(), System::currentTimeMillis);
    }

    /** @return the state */
    public PoolState state() {
        return state;
    }

    /** @return the current time, epoch ms */
    public long now() {
        return clock.getAsLong();
    }

    /**
     * @param config the config version of the request
     * @param model  one of its models
     * @return that model's pool
     */
    public DeploymentPool pool(GatewayConfig config, ModelRoute model) {
        Cache c = cache;
        if (c.config() != config) {
            c = new Cache(config, new ConcurrentHashMap<>());
            cache = c;
        }
        DeploymentPool p = c.pools().get(model.id());
        if (p == null) {
            // model ids come from the validated config (the router refused unknown ones), so the map stays small
            p = c.pools().computeIfAbsent(model.id(), k -> new DeploymentPool(model, config.server().upstream(), state));
        }
        return p;
    }

    private record Cache(GatewayConfig config, ConcurrentHashMap<String, DeploymentPool> pools) {
    }
}
