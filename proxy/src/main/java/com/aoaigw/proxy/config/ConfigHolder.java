package com.aoaigw.proxy.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.LoadedConfig;

/**
 * Holds the current {@link ConfigSnapshot} and swaps it atomically when a new, valid version arrives. An invalid
 * version is refused and the last good snapshot stays in service (its problems are kept for /healthz and the
 * admin API).
 *
 * <p>Versions come from {@link #apply(String, String)}, called by the watcher of the followed {@code ConfigStore}
 * or by the admin API.
 */
public final class ConfigHolder {
    private static final System.Logger LOG = System.getLogger(ConfigHolder.class.getName());

    private final ConfigLoader loader;
    private final AtomicReference<ConfigSnapshot> current = new AtomicReference<>();
    private final AtomicReference<String> problem = new AtomicReference<>("no config loaded yet");
    private final AtomicReference<Rejection> rejected = new AtomicReference<>();
    private volatile com.aoaigw.config.ConfigStore followed;
    private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();

    /** @param loader the strict loader */
    public ConfigHolder(ConfigLoader loader) {
        this.loader = loader;
    }

    /** @return the snapshot in service, or null when no valid document was ever loaded */
    public ConfigSnapshot current() {
        return current.get();
    }

    /** @return why the last version was refused (or why there is none), or null when the last one loaded */
    public String problem() {
        return problem.get();
    }

    /** @return the store passed to {@link #follow}, or null (the admin API writes through the same store) */
    public com.aoaigw.config.ConfigStore store() {
        return followed;
    }

    /** @return the newest refused version since the one in service, or null */
    public Rejection rejected() {
        return rejected.get();
    }

    /**
     * Follows a config store: applies what it holds now and every new version it reports. A version equal (by
     * etag) to the one in service is skipped.
     *
     * @param store the store
     */
    public void follow(com.aoaigw.config.ConfigStore store) {
        followed = store;
        try {
            com.aoaigw.config.ConfigStore.Versioned v = store.read();
            apply(v.json(), v.etag());
            LOG.log(System.Logger.Level.INFO, "config loaded (etag " + v.etag() + ")");
        } catch (ConfigException e) {
            LOG.log(System.Logger.Level.WARNING, "stored config refused: " + e.getMessage());
        } catch (RuntimeException e) {
            problem.set("cannot read the config: " + e.getMessage()
                    + " (create it, e.g. with `make run`, or set CONFIG_PATH)");
        }
        store.watch(v -> {
            ConfigSnapshot now = current.get();
            if (now != null && v.etag() != null && v.etag().equals(now.etag())) {
                // the store is back to the version in service (e.g. a bad edit was reverted): nothing to load,
                // but the refusal reported in between no longer applies
                problem.set(null);
                rejected.set(null);
                return;
            }
            try {
                apply(v.json(), v.etag());
                LOG.log(System.Logger.Level.INFO, "config reloaded (etag " + v.etag() + ")");
            } catch (ConfigException e) {
                LOG.log(System.Logger.Level.WARNING, "stored config " + v.etag()
                        + " refused, keeping the last good version: " + e.getMessage());
            }
        });
    }

    /**
     * A refused version.
     *
     * @param etag     its etag
     * @param at       when it was refused
     * @param problems why
     */
    public record Rejection(String etag, java.time.Instant at, java.util.List<com.aoaigw.config.ConfigProblem> problems) {
    }

    /**
     * Registers a listener called (on the swapping thread) after each swap.
     *
     * @param listener receives the new snapshot
     */
    public void onChange(Consumer<ConfigSnapshot> listener) {
        listeners.add(listener);
    }

    /**
     * Validates a document and puts it in service.
     *
     * @param json the document
     * @param etag its version tag, or null
     * @return the new snapshot
     * @throws ConfigException when the document is refused (the current snapshot stays)
     */
    public ConfigSnapshot apply(String json, String etag) {
        LoadedConfig loaded;
        try {
            loaded = loader.load(json);
        } catch (ConfigException e) {
            problem.set("config refused: " + e.getMessage());
            rejected.set(new Rejection(etag, java.time.Instant.now(), e.problems()));
            throw e;
        }
        return apply(loaded, etag);
    }

    /**
     * Puts a document that was validated already (the admin API validates what it writes, once) in service.
     *
     * @param loaded the validated document
     * @param etag   its version tag, or null
     * @return the new snapshot
     */
    public ConfigSnapshot apply(LoadedConfig loaded, String etag) {
        ConfigSnapshot next = ConfigSnapshot.of(loaded.config(), etag, loaded.warnings());
        current.set(next);
        // warnings do not stop a version, so the console is where an operator sees them (at start and on reload)
        for (com.aoaigw.config.ConfigProblem w : loaded.warnings()) {
            LOG.log(System.Logger.Level.WARNING, "config " + w);
        }
        problem.set(null);
        rejected.set(null);
        for (Consumer<ConfigSnapshot> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "config listener failed", e);
            }
        }
        return next;
    }
}
