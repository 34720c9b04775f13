package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.config.KeyIndex;

/**
 * What the admin API reads and writes of the config: the data plane's one {@link ConfigHolder} and the store it
 * follows. The admin API validates a version once, writes it through the store and hands the validated document to
 * the holder at once; the store's watcher then delivers the same etag again, which the holder skips. A version
 * written by another process (or pulled from the blob) reaches the holder through the same watcher.
 */
public final class AdminConfigAccess {
    /** What the admin area sees before any valid config was loaded (credentials then come from the bootstrap). */
    private static final GatewayConfig EMPTY = new GatewayConfig(null, null, null, null, null);

    private final ConfigHolder holder;
    private final ConfigStore store;

    /**
     * @param holder the data plane's holder, following {@code store}
     * @param store  the store
     */
    public AdminConfigAccess(ConfigHolder holder, ConfigStore store) {
        this.holder = holder;
        this.store = store;
    }

    /** @return the config in effect (an empty one with etag {@code none} before any valid one was loaded) */
    public ConfigSnapshot current() {
        ConfigSnapshot s = holder.current();
        if (s == null) {
            return new ConfigSnapshot(EMPTY, KeyIndex.of(EMPTY.apiKeys()), Instant.EPOCH, "none", List.of());
        }
        return s.etag() != null ? s : new ConfigSnapshot(s.config(), s.keys(), s.loadedAt(), "unknown", s.warnings());
    }

    /** @return the store both processes read and write */
    public ConfigStore store() {
        return store;
    }

    /**
     * Puts a version that the admin API validated and wrote in service.
     *
     * @param etag   the etag the store gave it
     * @param loaded the validated document
     */
    public void applied(String etag, LoadedConfig loaded) {
        holder.apply(loaded, etag);
    }

    /**
     * Re-reads the store and applies what it holds.
     *
     * @return the snapshot now in effect
     * @throws com.aoaigw.config.ConfigException when the stored document is refused (the last good one stays)
     */
    public ConfigSnapshot reload() {
        ConfigStore.Versioned v = store.read();
        holder.apply(v.json(), v.etag());
        return current();
    }

    /** @return the newest stored version that was refused, if any came after the one in effect */
    public Optional<ConfigHolder.Rejection> lastRejected() {
        return Optional.ofNullable(holder.rejected());
    }
}
