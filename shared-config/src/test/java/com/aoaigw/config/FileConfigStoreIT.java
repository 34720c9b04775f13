package com.aoaigw.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class FileConfigStoreIT {
    private static final Duration POLL = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    @Test
    void twentyConcurrentWritersOneWinsNoTornFile() throws Exception {
        Path file = dir.resolve("config.json");
        try (FileConfigStore a = new FileConfigStore(file, POLL); FileConfigStore b = new FileConfigStore(file, POLL)) {
            String base = a.write(TestDocs.valid("start"), null);
            String winner = ConcurrentWriters.race(List.of(a, b), 20, base, file);
            assertEquals(winner, Files.readString(file));
            assertEquals(winner, b.read().json());
        }
    }

    @Test
    void twoProcessesIncrementingNeverLoseAnUpdate() throws Exception {
        Path file = dir.resolve("config.json");
        int each = 100;
        try (FileConfigStore store = new FileConfigStore(file, POLL)) {
            store.write(TestDocs.counter(0), null);
            int conflicts = 0;
            try (ChildJvm child = new ChildJvm("increment", file.toString(), String.valueOf(each))) {
                child.await("start", 20000);
                for (int i = 0; i < each; i++) {
                    conflicts += WatchMain.increment(store);
                }
                String done = child.awaitPrefix("incremented " + each + " conflicts ", 60000);
                conflicts += Integer.parseInt(done.substring(done.lastIndexOf(' ') + 1));
            }
            assertEquals(2 * each, TestDocs.counterOf(store.read().json()), "no update was lost across processes");
            assertTrue(conflicts > 0, "the two processes really raced (some compare-and-swap failed)");
        }
    }

    @Test
    void secondInstanceAppliesChangesWithinThePollIntervalAndRefusesInvalidOnes() throws Exception {
        Path file = dir.resolve("config.json");
        try (FileConfigStore writer = new FileConfigStore(file, POLL);
             FileConfigStore other = new FileConfigStore(file, POLL)) {
            String e1 = writer.write(TestDocs.valid("one"), null);
            ConfigWatcher watcher = new ConfigWatcher(other, new ConfigLoader(n -> null));
            BlockingQueue<String> applied = new LinkedBlockingQueue<>();
            watcher.onApplied(s -> applied.add(s.etag()));
            assertEquals(e1, watcher.start().etag());
            assertEquals(e1, applied.poll(), "the initial version is reported too");

            String e2 = writer.write(TestDocs.valid("two"), e1);
            assertEquals(e2, applied.poll(POLL.toMillis() + 1500, TimeUnit.MILLISECONDS));
            assertEquals("two", watcher.current().config().models().get(0).id());

            String bad = writer.write(TestDocs.invalid(), e2);
            long deadline = System.currentTimeMillis() + POLL.toMillis() + 1500;
            while (watcher.lastRejected().isEmpty() && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(bad, watcher.lastRejected().orElseThrow().etag());
            assertTrue(watcher.lastRejected().get().problems().stream()
                    .anyMatch(p -> p.path().equals("models[0].upstream")));
            assertEquals(e2, watcher.current().etag(), "the last good config keeps serving");
            assertEquals("two", watcher.current().config().models().get(0).id());

            String e4 = writer.write(TestDocs.valid("four"), bad);
            assertEquals(e4, applied.poll(POLL.toMillis() + 1500, TimeUnit.MILLISECONDS));
            assertTrue(watcher.lastRejected().isEmpty());
        }
    }

    @Test
    void childJvmAppliesChangesAndRefusesInvalidOnes() throws Exception {
        Path file = dir.resolve("config.json");
        try (FileConfigStore writer = new FileConfigStore(file, POLL)) {
            String e1 = writer.write(TestDocs.valid("one"), null);
            try (ChildJvm child = new ChildJvm("file", file.toString(), String.valueOf(POLL.toMillis()))) {
                child.await("applied " + e1, 20000);
                child.await("ready", 5000);
                String e2 = writer.write(TestDocs.valid("two"), e1);
                child.await("applied " + e2, POLL.toMillis() + 2000);
                String bad = writer.write(TestDocs.invalid(), e2);
                child.await("rejected " + bad, POLL.toMillis() + 2000);
                String e4 = writer.write(TestDocs.valid("four"), bad);
                child.await("applied " + e4, POLL.toMillis() + 2000);
                assertNotNull(child.output());
            }
        }
    }
}
