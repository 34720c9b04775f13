package com.aoaigw.proxy.route;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

import com.aoaigw.config.CircuitBreakerSettings;

/**
 * The in-process {@link PoolState}: one record per deployment in a map. Deployments come from the config, never
 * from clients, so the map is as large as the configured pools (entries of deployments removed from the config stay
 * until restart; they are a few hundred bytes each).
 */
public final class LocalPoolState implements PoolState {
    private static final long MINUTE = 60_000;
    private static final int TRAFFIC_MINUTES = 5;

    private final ConcurrentHashMap<DeploymentId, Entry> entries = new ConcurrentHashMap<>();

    private Entry entry(DeploymentId id, CircuitBreakerSettings cb) {
        Entry e = entries.get(id);
        return e != null ? e : entries.computeIfAbsent(id, k -> new Entry(cb));
    }

    @Override
    public Availability availability(DeploymentId id, CircuitBreakerSettings cb, long now) {
        Entry e = entries.get(id);
        if (e == null) {
            return OK;
        }
        return e.availability(cb, now);
    }

    private static final Availability OK = new Availability(Health.OK, 0, -1);

    @Override
    public boolean tryAcquire(DeploymentId id, CircuitBreakerSettings cb, long now) {
        Entry e = entries.get(id);
        if (e == null) {
            return true;
        }
        if (now < e.coolingUntil) {
            return false;
        }
        return e.breaker.tryAcquire(now, cb);
    }

    @Override
    public void succeeded(DeploymentId id, CircuitBreakerSettings cb, long now) {
        Entry e = entry(id, cb);
        e.breaker.onSuccess(now, cb);
        e.served(now);
    }

    @Override
    public void failed(DeploymentId id, CircuitBreakerSettings cb, long now, String error) {
        Entry e = entry(id, cb);
        e.lastError = error;
        e.lastErrorAt = now;
        e.breaker.onFailure(now, cb);
    }

    @Override
    public void rateLimited(DeploymentId id, CircuitBreakerSettings cb, long now, long untilMs) {
        Entry e = entry(id, cb);
        synchronized (e) {
            e.coolingUntil = Math.max(e.coolingUntil, untilMs);
        }
        e.lastError = "429";
        e.lastErrorAt = now;
        // Azure answered: the deployment is alive, only full
        e.breaker.onSuccess(now, cb);
    }

    @Override
    public void released(DeploymentId id) {
        Entry e = entries.get(id);
        if (e != null) {
            e.breaker.release();
        }
    }

    @Override
    public void utilisation(DeploymentId id, double percent, long now) {
        Entry e = entry(id, CircuitBreakerSettings.DEFAULTS);
        e.utilisation = percent;
        e.utilisationAt = now;
    }

    @Override
    public List<DeploymentStatus> snapshot(long now) {
        List<DeploymentStatus> out = new ArrayList<>();
        entries.forEach((id, e) -> {
            Availability a = e.availability(e.settings, now);
            out.add(new DeploymentStatus(id, a.health(), a.untilMs(), a.utilisation(), e.lastError, e.lastErrorAt,
                    e.served5m(now)));
        });
        out.sort(Comparator.comparing(s -> s.id().toString()));
        return out;
    }

    private static final class Entry {
        final CircuitBreaker breaker;
        /** The settings last used with it (for the admin view, which has no model at hand). */
        volatile CircuitBreakerSettings settings;
        volatile long coolingUntil;
        volatile double utilisation = -1;
        volatile long utilisationAt;
        volatile String lastError;
        volatile long lastErrorAt;
        private final long[] minute = new long[TRAFFIC_MINUTES];
        private final long[] count = new long[TRAFFIC_MINUTES];

        Entry(CircuitBreakerSettings cb) {
            this.breaker = new CircuitBreaker(cb);
            this.settings = cb;
        }

        Availability availability(CircuitBreakerSettings cb, long now) {
            settings = cb;
            double u = utilisationAt > 0 && now - utilisationAt < UTILISATION_TTL_MS ? utilisation : -1;
            long cooling = coolingUntil;
            if (now < cooling) {
                return new Availability(Health.COOLING, cooling, u);
            }
            return switch (breaker.state(now)) {
                case CLOSED -> u < 0 ? OK : new Availability(Health.OK, 0, u);
                case OPEN -> new Availability(Health.OPEN, breaker.openUntil(), u);
                case HALF_OPEN -> breaker.available(now, cb)
                        ? new Availability(Health.HALF_OPEN, 0, u)
                        : new Availability(Health.PROBING, now + cb.openMs(), u);
            };
        }

        synchronized void served(long now) {
            long m = now / MINUTE;
            int slot = (int) Math.floorMod(m, (long) TRAFFIC_MINUTES);
            if (minute[slot] != m) {
                minute[slot] = m;
                count[slot] = 0;
            }
            count[slot]++;
        }

        synchronized long served5m(long now) {
            long m = now / MINUTE;
            long sum = 0;
            for (int i = 0; i < TRAFFIC_MINUTES; i++) {
                if (minute[i] > m - TRAFFIC_MINUTES && minute[i] <= m) {
                    sum += count[i];
                }
            }
            return sum;
        }
    }
}
