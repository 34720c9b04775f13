package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.LoadedConfig;

/**
 * A self-contained {@link AdminConfigAccess} over a {@link ConfigStore}: loads the stored document, keeps the last
 * good snapshot when a newer version is refused, and follows the store's watcher. Used when the admin API runs on
 * its own (tests, or a holder that does not implement the interface itself); listeners hear each applied snapshot.
 */
public final class StoreConfigAccess implements AdminConfigAccess {
    private static final System.Logger LOG = System.getLogger(StoreConfigAccess.class.getName());

    private final ConfigStore store;
    private final ConfigLoader loader;
    private final Clock clock;
    private final AtomicReference<Snapshot> current = new AtomicReference<>();
    private final AtomicReference<Rejected> rejected = new AtomicReference<>();
    private final Consumer<Snapshot> onApply;

    /**
     * Loads the stored document (it must be valid) and starts following the store.
     *
     * @param store   the store
     * @param loader  the strict loader
     * @param clock   time source
     * @param onApply called with each snapshot that takes effect
     * @throws ConfigException when the stored document is refused
     */
    public StoreConfigAccess(ConfigStore store, ConfigLoader loader, Clock clock, Consumer<Snapshot> onApply) {
        this.store = store;
        this.loader = loader;
        this.clock = clock;
        this.onApply = onApply;
        apply(store.read(), true);
        store.watch(v -> {
            try {
                apply(v, false);
            } catch (ConfigException e) {
                LOG.log(System.Logger.Level.WARNING, "stored config " + v.etag() + " refused; keeping the last good one: "
                        + e.getMessage());
            }
        });
    }

    @Override
    public Snapshot current() {
        return current.get();
    }

    @Override
    public ConfigStore store() {
        return store;
    }

    @Override
    public void applied(ConfigStore.Versioned written) {
        apply(written, true);
    }

    @Override
    public Snapshot reload() {
        apply(store.read(), true);
        return current.get();
    }

    @Override
    public Optional<Rejected> lastRejected() {
        return Optional.ofNullable(rejected.get());
    }

    private synchronized void apply(ConfigStore.Versioned v, boolean force) {
        Snapshot now = current.get();
        if (!force && now != null && now.etag().equals(v.etag())) {
            return;
        }
        LoadedConfig loaded;
        try {
            loaded = loader.load(v.json());
        } catch (ConfigException e) {
            rejected.set(new Rejected(v.etag(), clock.instant(), e.problems()));
            throw e;
        }
        Snapshot s = new Snapshot(loaded.config(), v.etag(), loaded.warnings(), clock.instant());
        current.set(s);
        rejected.set(null);
        onApply.accept(s);
    }
}
