package com.aoaigw.config;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.aoaigw.config.ConfigStore.Versioned;

/**
 * The watchers of a config store: each new version (by etag) is handed to every listener once; a listener that throws
 * is logged and does not stop the others.
 */
final class ConfigListeners {
    private static final System.Logger LOG = System.getLogger(ConfigListeners.class.getName());

    private final List<Consumer<Versioned>> listeners = new CopyOnWriteArrayList<>();
    private String delivered;

    /** @param listener called with each new version */
    void add(Consumer<Versioned> listener) {
        listeners.add(listener);
    }

    /** @param etag the version the listeners are taken to know already (the one read at start), or null */
    synchronized void baseline(String etag) {
        delivered = etag;
    }

    /**
     * @param v a version just read or written
     */
    void deliver(Versioned v) {
        synchronized (this) {
            if (v.etag().equals(delivered)) {
                return;
            }
            delivered = v.etag();
        }
        for (Consumer<Versioned> l : listeners) {
            try {
                l.accept(v);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "config listener failed", e);
            }
        }
    }
}
