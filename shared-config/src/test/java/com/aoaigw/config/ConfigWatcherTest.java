package com.aoaigw.config;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class ConfigWatcherTest {
    /** A hand-written store: versions are pushed by the test. */
    private static final class FakeStore implements ConfigStore {
        private final List<Consumer<Versioned>> listeners = new ArrayList<>();
        private Versioned current;

        FakeStore(Versioned initial) {
            current = initial;
        }

        void push(Versioned v) {
            current = v;
            listeners.forEach(l -> l.accept(v));
        }

        @Override
        public Versioned read() {
            return current;
        }

        @Override
        public String write(String json, String ifMatch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void watch(Consumer<Versioned> listener) {
            listeners.add(listener);
        }

        @Override
        public StoreStatus status() {
            return new StoreStatus("fake", "ready", null, false, null, "memory");
        }

        @Override
        public void close() {
        }
    }

    @Test
    void appliesValidVersionsKeepsLastGoodOnInvalidAndReportsEachOnce() {
        FakeStore store = new FakeStore(new ConfigStore.Versioned(TestDocs.valid("one"), "e1"));
        ConfigWatcher w = new ConfigWatcher(store, new ConfigLoader(n -> null));
        List<String> applied = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        w.onApplied(s -> applied.add(s.etag()));
        w.onRejected(r -> rejected.add(r.etag()));
        assertEquals("e1", w.start().etag());

        store.push(new ConfigStore.Versioned(TestDocs.invalid(), "bad"));
        store.push(new ConfigStore.Versioned(TestDocs.invalid(), "bad"));
        assertEquals("e1", w.current().etag());
        assertEquals("bad", w.lastRejected().orElseThrow().etag());
        assertEquals("error: models[0].upstream: 'missing' is not the name of an upstream in upstreams[]",
                w.lastRejected().get().problems().get(0).toString());

        store.push(new ConfigStore.Versioned(TestDocs.valid("two"), "e2"));
        store.push(new ConfigStore.Versioned(TestDocs.valid("two"), "e2"));
        assertEquals("two", w.current().config().models().get(0).id());
        assertFalse(w.lastRejected().isPresent());
        assertEquals(List.of("e1", "e2"), applied);
        assertEquals(List.of("bad"), rejected);
    }

    @Test
    void startFailsWhenTheFirstVersionIsInvalid() {
        FakeStore store = new FakeStore(new ConfigStore.Versioned(TestDocs.invalid(), "bad"));
        ConfigWatcher w = new ConfigWatcher(store, new ConfigLoader(n -> null));
        ConfigException e = assertThrows(ConfigException.class, w::start);
        assertTrue(e.getMessage().contains("models[0].upstream"), e::getMessage);
        assertEquals(null, w.current());
    }

    @Test
    void storeSettingsPickTheStore() {
        StoreSettings file = StoreSettings.from(java.util.Map.of("CONFIG_PATH", "x/config.json")::get);
        assertEquals(StoreMode.AZURE_FILE, file.mode());
        try (ConfigStore s = ConfigStores.create(file)) {
            assertTrue(s instanceof FileConfigStore);
            assertTrue(s.status().location().endsWith("config.json"));
        }
        StoreSettings blob = StoreSettings.from(java.util.Map.of("PERSISTENCE_MODE", "blob")::get);
        assertEquals(StoreMode.BLOB, blob.mode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigStores.create(blob));
        assertTrue(e.getMessage().contains("CONFIG_BLOB_CONTAINER"), e::getMessage);
    }
}
