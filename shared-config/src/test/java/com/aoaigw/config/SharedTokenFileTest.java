package com.aoaigw.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class SharedTokenFileTest {
    @TempDir
    Path tmp;

    @Test
    void tokenFromTheEnvironmentWinsAndTheFileIsNotTouched() {
        Path file = tmp.resolve("data/caddy-manager.token");
        Secret s = SharedTokenFile.resolve(Map.of("CADDY_MANAGER_TOKEN", "given-token",
                "CADDY_MANAGER_TOKEN_FILE", file.toString())::get);
        assertEquals("given-token", s.reveal());
        assertFalse(Files.exists(file));
    }

    @Test
    void neitherSetMeansNoToken() {
        assertEquals("", SharedTokenFile.resolve(k -> null).reveal());
    }

    @Test
    void firstStartCreatesTheFileWithMode600AndLaterStartsReadIt() throws Exception {
        Path file = tmp.resolve("data/caddy-manager.token");
        String first = SharedTokenFile.resolve(Map.of("CADDY_MANAGER_TOKEN_FILE", file.toString())::get).reveal();
        assertTrue(first.matches("[0-9a-f]{64}"), first);
        assertEquals(first, Files.readString(file).trim());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String again = SharedTokenFile.resolve(Map.of("CADDY_MANAGER_TOKEN_FILE", file.toString(),
                "CADDY_MANAGER_TOKEN", " ")::get).reveal();
        assertEquals(first, again);
    }

    @Test
    void processesStartingTogetherAgreeOnOneToken() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path file = tmp.resolve("round" + round + "/caddy-manager.token");
            int n = 8;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                List<Future<String>> results = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    results.add(pool.submit(() -> {
                        go.await();
                        return SharedTokenFile.readOrCreate(file);
                    }));
                }
                go.countDown();
                Set<String> tokens = new HashSet<>();
                for (Future<String> f : results) {
                    tokens.add(f.get(30, TimeUnit.SECONDS));
                }
                assertEquals(1, tokens.size(), "round " + round + ": " + tokens.size() + " different tokens");
                assertEquals(tokens.iterator().next(), Files.readString(file).trim());
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void aReaderWaitsForTheCreatorsWrite() throws Exception {
        Path file = tmp.resolve("caddy-manager.token");
        Files.createFile(file);
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
                Files.writeString(file, "ab".repeat(32) + "\n");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertEquals("ab".repeat(32), SharedTokenFile.readOrCreate(file));
        writer.join();
    }

    @Test
    void aFileWithoutATokenIsAnErrorNamingTheFix() throws Exception {
        Path file = tmp.resolve("caddy-manager.token");
        Files.writeString(file, "short\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SharedTokenFile.resolve(Map.of("CADDY_MANAGER_TOKEN_FILE", file.toString())::get));
        assertTrue(e.getMessage().contains("CADDY_MANAGER_TOKEN_FILE=" + file) && e.getMessage().contains("delete it")
                && e.getMessage().contains("set CADDY_MANAGER_TOKEN"), e.getMessage());
        assertFalse(e.getMessage().contains("short"), "the file's content must not be echoed");
    }
}
