package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.aoaigw.config.ConfigConflictException;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.StoreStatus;

/** A hand-written in-memory store for the admin tests: etags are a counter, writes are conditional. */
final class MemoryConfigStore implements ConfigStore {
    private final AtomicInteger version = new AtomicInteger(1);
    private final List<Consumer<Versioned>> listeners = new CopyOnWriteArrayList<>();
    private volatile Versioned current;

    MemoryConfigStore(String json) {
        current = new Versioned(json, "v1");
    }

    @Override
    public synchronized Versioned read() {
        return current;
    }

    @Override
    public String write(String json, String ifMatch) {
        Versioned v;
        synchronized (this) {
            if (ifMatch == null || !ifMatch.equals(current.etag())) {
                throw new ConfigConflictException(current);
            }
            v = new Versioned(json, "v" + version.incrementAndGet());
            current = v;
        }
        listeners.forEach(l -> l.accept(v));
        return v.etag();
    }

    /** Simulates another process writing (e.g. the other admin, or caddy-manager's host). */
    void externalWrite(String json) {
        write(json, read().etag());
    }

    @Override
    public void watch(Consumer<Versioned> listener) {
        listeners.add(listener);
    }

    @Override
    public StoreStatus status() {
        return new StoreStatus("azureFile", "ready", null, false, Instant.now(), "memory");
    }

    @Override
    public void close() {
        listeners.clear();
    }
}
