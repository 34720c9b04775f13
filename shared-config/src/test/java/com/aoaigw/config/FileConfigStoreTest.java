package com.aoaigw.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(30)
class FileConfigStoreTest {
    @TempDir
    Path dir;

    @Test
    void createOnlyWithNullThenCompareAndSwap() throws Exception {
        Path file = dir.resolve("sub").resolve("config.json");
        try (FileConfigStore store = new FileConfigStore(file)) {
            assertThrows(ConfigStoreException.class, store::read);
            String e1 = store.write(TestDocs.valid("a"), null);
            assertEquals(FileConfigStore.etag(TestDocs.valid("a").getBytes(StandardCharsets.UTF_8)), e1);
            assertEquals(new ConfigStore.Versioned(TestDocs.valid("a"), e1), store.read());
            // null means create: refused now that it exists, and the conflict carries the current version
            ConfigConflictException c = assertThrows(ConfigConflictException.class,
                    () -> store.write(TestDocs.valid("b"), null));
            assertEquals(e1, c.current().etag());
            String e2 = store.write(TestDocs.valid("b"), e1);
            assertNotEquals(e1, e2);
            ConfigConflictException stale = assertThrows(ConfigConflictException.class,
                    () -> store.write(TestDocs.valid("c"), e1));
            assertEquals(TestDocs.valid("b"), stale.current().json());
            assertEquals(TestDocs.valid("b"), Files.readString(file));
            store.write(TestDocs.valid("d"), "*");
            assertEquals(TestDocs.valid("d"), store.read().json());
            // no temp files are left behind
            try (var files = Files.list(file.getParent())) {
                assertEquals(2, files.count(), "config.json and config.json.lock only");
            }
            assertEquals("ready", store.status().state());
            assertEquals("azureFile", store.status().mode());
        }
    }

    @Test
    void staleEtagAgainstMissingFileIsAConflict() {
        try (FileConfigStore store = new FileConfigStore(dir.resolve("config.json"))) {
            ConfigConflictException c = assertThrows(ConfigConflictException.class,
                    () -> store.write(TestDocs.valid("a"), "abc"));
            assertEquals(null, c.current());
        }
    }
}
