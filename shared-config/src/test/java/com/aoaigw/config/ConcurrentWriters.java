package com.aoaigw.config;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** N writers on one version across some stores, while a reader parses the local file in a loop. */
final class ConcurrentWriters {
    private ConcurrentWriters() {
    }

    /**
     * @param stores  the stores; writer i uses stores[i % size]
     * @param writers how many writers
     * @param base    the etag every writer bases its change on
     * @param file    the local file the reader parses in a loop
     * @return the document that won
     */
    static String race(List<ConfigStore> stores, int writers, String base, Path file) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        List<String> torn = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!stop.get() && reads.get() < 1_000_000) {
                try {
                    mapper.readTree(Files.readString(file));
                    reads.incrementAndGet();
                } catch (NoSuchFileException e) {
                    synchronized (torn) {
                        torn.add("missing file");
                    }
                } catch (Exception e) {
                    synchronized (torn) {
                        torn.add(e.getMessage());
                    }
                }
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                ConfigStore store = stores.get(i % stores.size());
                String doc = TestDocs.valid("writer-" + i);
                results.add(pool.submit(() -> {
                    go.await();
                    try {
                        store.write(doc, base);
                        return doc;
                    } catch (ConfigConflictException e) {
                        return null;
                    }
                }));
            }
            go.countDown();
            List<String> winners = new ArrayList<>();
            for (Future<String> f : results) {
                String r = f.get(60, TimeUnit.SECONDS);
                if (r != null) {
                    winners.add(r);
                }
            }
            assertEquals(1, winners.size(), "exactly one writer wins: " + winners.size());
            return winners.get(0);
        } finally {
            pool.shutdownNow();
            stop.set(true);
            reader.join(10000);
            assertTrue(torn.isEmpty(), "the reader saw a torn or missing file: " + torn);
            assertTrue(reads.get() > 0, "the reader read the file");
        }
    }
}
