package com.aoaigw.config;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Holds the last good config of a store and follows its changes: each new version is parsed and validated; a valid
 * one replaces the snapshot (listeners are told), an invalid one is refused, logged once, and exposed by
 * {@link #lastRejected()} while the last good snapshot keeps serving. A test helper: the store tests read through it
 * what a process following the store would see (the proxy's own holder is {@code proxy.config.ConfigHolder}).
 */
public final class ConfigWatcher {
    private static final System.Logger LOG = System.getLogger(ConfigWatcher.class.getName());

    private final ConfigStore store;
    private final ConfigLoader loader;
    private final List<Consumer<Snapshot>> listeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Rejected>> rejectListeners = new CopyOnWriteArrayList<>();
    private volatile Snapshot current;
    private volatile Rejected rejected;

    /**
     * A config in effect.
     *
     * @param loaded    the document and its warnings
     * @param etag      the store's etag of that version
     * @param appliedAt when it was applied here
     */
    public record Snapshot(LoadedConfig loaded, String etag, Instant appliedAt) {
        /** @return the document */
        public GatewayConfig config() {
            return loaded.config();
        }
    }

    /**
     * The newest version that was refused.
     *
     * @param etag       its etag
     * @param problems   why
     * @param rejectedAt when
     */
    public record Rejected(String etag, List<ConfigProblem> problems, Instant rejectedAt) {
        /** Copies the list. */
        public Rejected {
            problems = List.copyOf(problems);
        }
    }

    /**
     * @param store  where the document lives
     * @param loader parses and validates
     */
    public ConfigWatcher(ConfigStore store, ConfigLoader loader) {
        this.store = store;
        this.loader = loader;
    }

    /**
     * Starts following the store and applies its current version.
     *
     * @return the snapshot in effect
     * @throws ConfigException      when the current version is invalid (nothing good to serve yet)
     * @throws ConfigStoreException when the store cannot be read
     */
    public Snapshot start() {
        store.watch(this::offer);
        ConfigStore.Versioned v = store.read();
        offer(v);
        Snapshot s = current;
        if (s == null) {
            Rejected r = rejected;
            throw new ConfigException(r == null ? List.of(ConfigProblem.error("$", "no config")) : r.problems());
        }
        return s;
    }

    /**
     * @param listener called after each successful swap, including the first one made by {@link #start()} when it
     *                 is added before
     */
    public void onApplied(Consumer<Snapshot> listener) {
        listeners.add(listener);
    }

    /**
     * @param listener called once for each refused version
     */
    public void onRejected(Consumer<Rejected> listener) {
        rejectListeners.add(listener);
    }

    /** @return the config in effect, or null before the first good version */
    public Snapshot current() {
        return current;
    }

    /** @return the newest refused version, if it is newer than the one in effect */
    public Optional<Rejected> lastRejected() {
        return Optional.ofNullable(rejected);
    }

    /**
     * Considers a version (from the store's watch, or a version this process just wrote). Versions already in
     * effect or already refused are ignored.
     *
     * @param version the version
     * @return true when it was applied now
     */
    public synchronized boolean offer(ConfigStore.Versioned version) {
        Snapshot s = current;
        if (s != null && s.etag().equals(version.etag())) {
            return false;
        }
        Rejected r = rejected;
        if (r != null && r.etag().equals(version.etag())) {
            return false;
        }
        LoadedConfig loaded;
        try {
            loaded = loader.load(version.json());
        } catch (ConfigException e) {
            Rejected refused = new Rejected(version.etag(), e.problems(), Instant.now());
            rejected = refused;
            LOG.log(System.Logger.Level.WARNING, "config version {0} refused, keeping {1}:\n{2}", version.etag(),
                    s == null ? "nothing" : s.etag(), e.getMessage());
            for (Consumer<Rejected> l : rejectListeners) {
                try {
                    l.accept(refused);
                } catch (RuntimeException ex) {
                    LOG.log(System.Logger.Level.WARNING, "config listener failed", ex);
                }
            }
            return false;
        }
        Snapshot next = new Snapshot(loaded, version.etag(), Instant.now());
        current = next;
        rejected = null;
        LOG.log(System.Logger.Level.INFO, "config version {0} applied ({1} warnings)", version.etag(),
                loaded.warnings().size());
        for (Consumer<Snapshot> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "config listener failed", e);
            }
        }
        return true;
    }
}
