package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.config.ConfigSnapshot;

/**
 * {@link AdminConfigAccess} over the data plane's {@link ConfigHolder} and the process's {@link ConfigStore}. The
 * admin API writes through the store and hands each written version to the holder at once; the store's watcher
 * also feeds the holder, so a version written by another process (or pulled from the blob) takes effect here too.
 * Refused versions are remembered for the runtime view.
 */
public final class HolderConfigAccess implements AdminConfigAccess {
    private static final System.Logger LOG = System.getLogger(HolderConfigAccess.class.getName());
    /** What the admin area sees before any valid config was loaded (credentials then come from the bootstrap). */
    private static final GatewayConfig EMPTY = new GatewayConfig(null, null, null, null, null);

    private final ConfigHolder holder;
    private final ConfigStore store;
    private final ConfigLoader loader;
    private final Clock clock;
    private final AtomicReference<Rejected> rejected = new AtomicReference<>();
    /**
     * The last version applied through the store. The holder's own file polling re-applies the same document under
     * a modification-time tag; matching the content keeps the store's etag in the admin views.
     */
    private final AtomicReference<Applied> lastApplied = new AtomicReference<>();

    /**
     * @param holder the data plane's holder
     * @param store  the store
     * @param loader the strict loader
     * @param clock  time source
     */
    public HolderConfigAccess(ConfigHolder holder, ConfigStore store, ConfigLoader loader, Clock clock) {
        this.holder = holder;
        this.store = store;
        this.loader = loader;
        this.clock = clock;
        if (holder.store() == store) {
            // the holder follows this store itself
            return;
        }
        store.watch(v -> {
            Applied last = lastApplied.get();
            if (last != null && last.etag().equals(v.etag()) && holder.current() != null
                    && holder.current().config().equals(last.config())) {
                return;
            }
            try {
                apply(v);
            } catch (ConfigException e) {
                LOG.log(System.Logger.Level.WARNING, "stored config " + v.etag() + " refused; the last good one stays: "
                        + e.getMessage());
            }
        });
    }

    @Override
    public Snapshot current() {
        ConfigSnapshot s = holder.current();
        if (s == null) {
            return new Snapshot(EMPTY, "none", List.of(), Instant.EPOCH);
        }
        Applied last = lastApplied.get();
        String etag = last != null && last.config().equals(s.config()) ? last.etag()
                : s.etag() == null ? "unknown" : s.etag();
        return new Snapshot(s.config(), etag, s.warnings(), s.loadedAt());
    }

    @Override
    public ConfigStore store() {
        return store;
    }

    @Override
    public void applied(ConfigStore.Versioned written) {
        apply(written);
    }

    @Override
    public Snapshot reload() {
        apply(store.read());
        return current();
    }

    @Override
    public Optional<Rejected> lastRejected() {
        Rejected mine = rejected.get();
        if (mine != null) {
            return Optional.of(mine);
        }
        ConfigHolder.Rejection r = holder.rejected();
        return r == null ? Optional.empty() : Optional.of(new Rejected(r.etag(), r.at(), r.problems()));
    }

    private void apply(ConfigStore.Versioned v) {
        try {
            loader.load(v.json());
        } catch (ConfigException e) {
            rejected.set(new Rejected(v.etag(), clock.instant(), e.problems()));
            throw e;
        }
        ConfigSnapshot applied = holder.apply(v.json(), v.etag());
        lastApplied.set(new Applied(applied.config(), v.etag()));
        rejected.set(null);
    }

    private record Applied(GatewayConfig config, String etag) {
    }
}
