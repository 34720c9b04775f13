package com.aoaigw.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
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
 * <p>Versions come from {@link #apply(String, String)} (called by a {@code ConfigStore} watcher or the admin API)
 * or from {@link #pollFile()} when the holder watches a plain file.
 */
public final class ConfigHolder {
    private static final System.Logger LOG = System.getLogger(ConfigHolder.class.getName());

    private final ConfigLoader loader;
    private final Path file;
    private final AtomicReference<ConfigSnapshot> current = new AtomicReference<>();
    private final AtomicReference<String> problem = new AtomicReference<>("no config loaded yet");
    private final AtomicReference<Rejection> rejected = new AtomicReference<>();
    private volatile com.aoaigw.config.ConfigStore followed;
    private final List<Consumer<ConfigSnapshot>> listeners = new CopyOnWriteArrayList<>();
    private volatile FileTime lastModified;
    private volatile long lastSize = -1;

    /**
     * @param loader the strict loader
     * @param file   the config file watched by {@link #pollFile()}, or null when versions are pushed
     */
    public ConfigHolder(ConfigLoader loader, Path file) {
        this.loader = loader;
        this.file = file;
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
        ConfigSnapshot next = ConfigSnapshot.of(loaded.config(), etag, loaded.warnings());
        current.set(next);
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

    /**
     * Reads the watched file if it changed since the last read (modification time or size) and applies it.
     *
     * @return true when a new version was put in service
     */
    public boolean pollFile() {
        if (file == null) {
            return false;
        }
        try {
            FileTime mtime = Files.getLastModifiedTime(file);
            long size = Files.size(file);
            if (Objects.equals(mtime, lastModified) && size == lastSize) {
                return false;
            }
            String json = Files.readString(file, StandardCharsets.UTF_8);
            lastModified = mtime;
            lastSize = size;
            apply(json, mtime.toString());
            LOG.log(System.Logger.Level.INFO, "config loaded from " + file);
            return true;
        } catch (NoSuchFileException e) {
            if (current.get() == null) {
                problem.set("config file " + file + " does not exist; create it (e.g. with `make run`) or set CONFIG_PATH");
            }
            return false;
        } catch (IOException e) {
            problem.set("cannot read config file " + file + ": " + e.getMessage());
            return false;
        } catch (ConfigException e) {
            LOG.log(System.Logger.Level.WARNING, "config file " + file + " refused, keeping the last good version: "
                    + e.getMessage());
            return false;
        }
    }
}
