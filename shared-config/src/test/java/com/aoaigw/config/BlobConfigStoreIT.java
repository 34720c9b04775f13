package com.aoaigw.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The blob store against a real Azurite started per test on a free loopback port. */
@Timeout(90)
class BlobConfigStoreIT {
    private static final Duration POLL = Duration.ofMillis(500);
    private static final String BLOB = "config/config.json";
    private static final AtomicInteger CONTAINERS = new AtomicInteger();

    @TempDir
    static Path shared;
    /** One Azurite for the tests that keep it running; each test uses its own container. */
    private static Azurite sharedAzurite;

    @TempDir
    Path dir;
    /** The Azurite of this test: the shared one, or one the test starts and stops itself. */
    private Azurite azurite;
    private final String container = "config" + CONTAINERS.incrementAndGet();

    @BeforeAll
    static void startAzurite() throws Exception {
        sharedAzurite = Azurite.start(shared.resolve("azurite"), Azurite.freePort());
    }

    @AfterAll
    static void stopAzurite() {
        if (sharedAzurite != null) {
            sharedAzurite.close();
        }
    }

    @BeforeEach
    void useShared() {
        azurite = sharedAzurite;
    }

    @AfterEach
    void stopOwn() {
        if (azurite != null && azurite != sharedAzurite) {
            azurite.close();
        }
    }

    private BlobConfigStore store(Path cache, String connectionString) {
        return new BlobConfigStore(new StoreSettings(StoreMode.BLOB, cache.toString(), null, connectionString, container, BLOB,
                30000), POLL);
    }

    private BlobClient directBlob(String connectionString) {
        BlobServiceClient svc = new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
        return svc.getBlobContainerClient(container).getBlobClient(BLOB);
    }

    private static void waitFor(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Test
    void freshBlobIsSeededFromTheLocalFile() throws Exception {
        Path cache = dir.resolve("node").resolve("config.json");
        Files.createDirectories(cache.getParent());
        Files.writeString(cache, TestDocs.valid("local"));
        try (BlobConfigStore store = store(cache, azurite.connectionString())) {
            assertEquals(TestDocs.valid("local"), directBlob(azurite.connectionString()).downloadContent().toString());
            StoreStatus s = store.status();
            assertEquals("ready", s.state(), s::toString);
            assertEquals("blob", s.mode());
            assertFalse(s.pendingSync());
            assertTrue(s.location().endsWith("/devstoreaccount1/" + container + "/config/config.json"), s.location());
            assertFalse(s.location().contains("AccountKey"));
            assertEquals(TestDocs.valid("local"), store.read().json());
        }
    }

    @Test
    void forbiddenAtStartIsDegradedAndServesTheCacheWithoutLeakingTheKey() throws Exception {
        Path cache = dir.resolve("config.json");
        Files.writeString(cache, TestDocs.valid("cached"));
        String wrongKey = java.util.Base64.getEncoder().encodeToString("not-the-account-key-0123456789".getBytes());
        String cs = azurite.connectionString().replace(Azurite.KEY, wrongKey);
        try (BlobConfigStore store = store(cache, cs)) {
            StoreStatus s = store.status();
            assertEquals("degraded", s.state());
            assertTrue(s.lastError().contains("403"), s.lastError());
            assertFalse(s.lastError().contains(wrongKey), s.lastError());
            assertFalse(s.toString().contains(wrongKey), s::toString);
            assertEquals(TestDocs.valid("cached"), store.read().json());
        }
    }

    @Test
    void existingBlobWinsOverTheLocalCacheAtStart() throws Exception {
        directBlob(azurite.connectionString()).getContainerClient().createIfNotExists();
        directBlob(azurite.connectionString()).upload(BinaryData.fromString(TestDocs.valid("remote")));
        Path cache = dir.resolve("config.json");
        Files.writeString(cache, TestDocs.valid("stale-local"));
        try (BlobConfigStore store = store(cache, azurite.connectionString())) {
            assertEquals(TestDocs.valid("remote"), Files.readString(cache));
            assertEquals(TestDocs.valid("remote"), store.read().json());
        }
    }

    @Test
    void unreachableAtStartServesTheCacheAndPushesQueuedWritesWhenTheBlobComesBack() throws Exception {
        azurite = null;
        int port = Azurite.freePort();
        Path cache = dir.resolve("config.json");
        Files.writeString(cache, TestDocs.valid("cached"));
        try (BlobConfigStore store = store(cache, Azurite.connectionString(port))) {
            StoreStatus s = store.status();
            assertEquals("degraded", s.state());
            assertNotNull(s.lastError());
            assertFalse(s.lastError().contains(Azurite.KEY), s.lastError());
            ConfigStore.Versioned v = store.read();
            assertEquals(TestDocs.valid("cached"), v.json());
            String e2 = store.write(TestDocs.valid("offline-change"), v.etag());
            assertTrue(store.status().pendingSync());
            assertEquals(TestDocs.valid("offline-change"), Files.readString(cache));
            assertEquals(e2, store.read().etag());

            azurite = Azurite.start(dir.resolve("azurite-later"), port);
            waitFor("the queued change to reach the blob", 15000, () -> !store.status().pendingSync());
            assertEquals("ready", store.status().state());
            assertEquals(TestDocs.valid("offline-change"), directBlob(azurite.connectionString()).downloadContent().toString());
        }
    }

    @Test
    void blobChangedWhileDegradedGivesAConflictWithBothVersionsKept() throws Exception {
        // this test stops and restarts its Azurite on another port with the same data
        azurite = Azurite.start(dir.resolve("azurite"), Azurite.freePort());
        Path cache = dir.resolve("config.json");
        Files.writeString(cache, TestDocs.valid("v1"));
        // a first run seeds the blob and remembers its etag next to the cache
        try (BlobConfigStore first = store(cache, azurite.connectionString())) {
            assertEquals("ready", first.status().state());
        }
        // meanwhile someone else changes the blob
        directBlob(azurite.connectionString()).upload(BinaryData.fromString(TestDocs.valid("v3-remote")), true);
        Path data = dir.resolve("azurite");
        azurite.close();
        int port = Azurite.freePort();
        azurite = null;
        try (BlobConfigStore store = store(cache, Azurite.connectionString(port))) {
            assertEquals("degraded", store.status().state());
            store.write(TestDocs.valid("v2-local"), store.read().etag());
            assertTrue(store.status().pendingSync());
            // the same data comes back on the port this store uses
            azurite = Azurite.start(data, port);
            waitFor("the conflict", 15000, () -> "conflict".equals(store.status().state()));
            StoreStatus s = store.status();
            assertFalse(s.pendingSync());
            assertTrue(s.lastError().contains("config.json.conflict-"), s.lastError());
            // the newer blob version is served and was not overwritten; the local change is kept in a side file
            assertEquals(TestDocs.valid("v3-remote"), directBlob(azurite.connectionString()).downloadContent().toString());
            assertEquals(TestDocs.valid("v3-remote"), store.read().json());
            try (var files = Files.list(dir)) {
                List<Path> sides = files.filter(f -> f.getFileName().toString().startsWith("config.json.conflict-"))
                        .toList();
                assertEquals(1, sides.size());
                assertEquals(TestDocs.valid("v2-local"), Files.readString(sides.get(0)));
            }
            // a save based on the served version resolves it
            store.write(TestDocs.valid("v4"), store.read().etag());
            assertEquals("ready", store.status().state());
            assertEquals(TestDocs.valid("v4"), directBlob(azurite.connectionString()).downloadContent().toString());
        }
    }

    @Test
    void staleWriteGetsTheCurrentVersion() throws Exception {
        Path cacheA = dir.resolve("a").resolve("config.json");
        Path cacheB = dir.resolve("b").resolve("config.json");
        Files.createDirectories(cacheA.getParent());
        Files.writeString(cacheA, TestDocs.valid("one"));
        try (BlobConfigStore a = store(cacheA, azurite.connectionString());
             BlobConfigStore b = store(cacheB, azurite.connectionString())) {
            String base = b.read().etag();
            a.write(TestDocs.valid("two"), base);
            // b's cache may still hold "one": the blob condition refuses it and hands back "two"
            ConfigConflictException c = assertThrows(ConfigConflictException.class,
                    () -> b.write(TestDocs.valid("three"), base));
            assertEquals(TestDocs.valid("two"), c.current().json());
        }
    }

    @Test
    void twentyConcurrentWritersOneWinsNoTornFile() throws Exception {
        Path cacheA = dir.resolve("a").resolve("config.json");
        Path cacheB = dir.resolve("b").resolve("config.json");
        Files.createDirectories(cacheA.getParent());
        Files.writeString(cacheA, TestDocs.valid("start"));
        try (BlobConfigStore a = store(cacheA, azurite.connectionString());
             BlobConfigStore b = store(cacheB, azurite.connectionString())) {
            String base = a.read().etag();
            assertEquals(base, b.read().etag());
            String winner = ConcurrentWriters.race(List.of(a, b), 20, base, cacheA);
            assertEquals(winner, directBlob(azurite.connectionString()).downloadContent().toString());
            waitFor("both caches to hold the winner", 5000, () -> winner.equals(a.read().json())
                    && winner.equals(b.read().json()));
        }
    }

    @Test
    void secondStoreAppliesChangesWithinThePollIntervalAndRefusesInvalidOnes() throws Exception {
        Path cacheA = dir.resolve("a").resolve("config.json");
        Path cacheB = dir.resolve("b").resolve("config.json");
        Files.createDirectories(cacheA.getParent());
        Files.writeString(cacheA, TestDocs.valid("one"));
        try (BlobConfigStore a = store(cacheA, azurite.connectionString());
             BlobConfigStore b = store(cacheB, azurite.connectionString())) {
            ConfigWatcher watcher = new ConfigWatcher(b, new ConfigLoader(n -> null));
            BlockingQueue<String> applied = new LinkedBlockingQueue<>();
            watcher.onApplied(s -> applied.add(s.etag()));
            String e1 = watcher.start().etag();
            assertEquals(e1, applied.poll());
            String e2 = a.write(TestDocs.valid("two"), e1);
            assertEquals(e2, applied.poll(POLL.toMillis() + 3000, TimeUnit.MILLISECONDS));
            String bad = a.write(TestDocs.invalid(), e2);
            waitFor("the refusal", POLL.toMillis() + 3000, () -> watcher.lastRejected().isPresent());
            assertEquals(bad, watcher.lastRejected().get().etag());
            assertEquals(e2, watcher.current().etag(), "the last good config keeps serving");
        }
    }

    @Test
    void childJvmAppliesBlobChangesAndRefusesInvalidOnes() throws Exception {
        Path cacheA = dir.resolve("a").resolve("config.json");
        Path cacheChild = dir.resolve("child").resolve("config.json");
        Files.createDirectories(cacheA.getParent());
        Files.writeString(cacheA, TestDocs.valid("one"));
        try (BlobConfigStore a = store(cacheA, azurite.connectionString())) {
            String e1 = a.read().etag();
            try (ChildJvm child = new ChildJvm("blob", azurite.connectionString(), container, BLOB,
                    cacheChild.toString(), String.valueOf(POLL.toMillis()))) {
                child.await("applied " + e1, 30000);
                child.await("ready", 5000);
                String e2 = a.write(TestDocs.valid("two"), e1);
                child.await("applied " + e2, POLL.toMillis() + 4000);
                String bad = a.write(TestDocs.invalid(), e2);
                child.await("rejected " + bad, POLL.toMillis() + 4000);
            }
        }
    }
}
