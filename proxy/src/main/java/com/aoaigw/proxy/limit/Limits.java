package com.aoaigw.proxy.limit;

import java.util.function.LongSupplier;

import com.aoaigw.config.SharedStateSettings;
import com.aoaigw.proxy.state.LocalSharedState;
import com.aoaigw.proxy.state.RedisSharedState;
import com.aoaigw.proxy.state.SharedState;

/**
 * The limiter in service and the state behind it, rebuilt when {@code server.sharedState} changes (a request keeps
 * the limiter it started with; the old state is closed after the swap). Also holds the prompt estimator.
 */
public final class Limits implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Limits.class.getName());

    private final LongSupplier clock;
    private final PromptEstimator estimator = new PromptEstimator();
    private volatile Limiter limiter;
    private volatile SharedStateSettings settings;

    /** @param clock epoch milliseconds */
    public Limits(LongSupplier clock) {
        this.clock = clock;
        this.settings = SharedStateSettings.defaults();
        this.limiter = new Limiter(new LocalSharedState(), clock);
    }

    /**
     * Applies the settings of a new config; nothing happens when they did not change.
     *
     * @param next the {@code server.sharedState} block
     */
    public synchronized void update(SharedStateSettings next) {
        if (next.equals(settings)) {
            return;
        }
        SharedState state;
        if (next.redis() && !next.redisUrl().isEmpty()) {
            state = new RedisSharedState(next.redisUrl().reveal(), next.keyPrefix(), "reject".equals(next.onRedisDown()));
        } else {
            if (next.redis()) {
                LOG.log(System.Logger.Level.WARNING, "server.sharedState.mode is redis but redisUrl is empty (is its "
                        + "environment variable set?); counting in this process only");
            }
            state = new LocalSharedState();
        }
        SharedState old = limiter.state();
        limiter = new Limiter(state, clock);
        settings = next;
        LOG.log(System.Logger.Level.INFO, "limits: shared state " + state.mode()
                + (state.mode().equals("redis") ? " (onRedisDown " + next.onRedisDown() + ")" : ""));
        old.close();
    }

    /** @return the limiter in service */
    public Limiter limiter() {
        return limiter;
    }

    /** @return the settings in service */
    public SharedStateSettings settings() {
        return settings;
    }

    /** @return the prompt estimator */
    public PromptEstimator estimator() {
        return estimator;
    }

    @Override
    public synchronized void close() {
        limiter.state().close();
    }
}
