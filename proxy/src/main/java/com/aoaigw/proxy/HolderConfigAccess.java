package com.aoaigw.proxy;

import java.util.Optional;

import com.aoaigw.config.ConfigStore;
import com.aoaigw.proxy.admin.AdminConfigAccess;

/**
 * The admin API's view of the proxy's {@link ConfigHolder} and store: the admin API and the data plane share one
 * snapshot, so a version the admin API writes is in service for the next request.
 */
public final class HolderConfigAccess implements AdminConfigAccess {
    private final ConfigHolder holder;
    private final ConfigStore store;

    /**
     * @param holder the holder
     * @param store  the store it follows
     */
    public HolderConfigAccess(ConfigHolder holder, ConfigStore store) {
        this.holder = holder;
        this.store = store;
    }

    @Override
    public Snapshot current() {
        ConfigSnapshot s = holder.current();
        return s == null ? null : new Snapshot(s.config(), s.etag() == null ? "" : s.etag(), s.warnings(), s.loadedAt());
    }

    @Override
    public ConfigStore store() {
        return store;
    }

    @Override
    public void applied(ConfigStore.Versioned written) {
        holder.apply(written.json(), written.etag());
    }

    @Override
    public Snapshot reload() {
        ConfigStore.Versioned v = store.read();
        holder.apply(v.json(), v.etag());
        return current();
    }

    @Override
    public Optional<Rejected> lastRejected() {
        ConfigHolder.Rejection r = holder.rejected();
        return r == null ? Optional.empty() : Optional.of(new Rejected(r.etag(), r.at(), r.problems()));
    }
}
