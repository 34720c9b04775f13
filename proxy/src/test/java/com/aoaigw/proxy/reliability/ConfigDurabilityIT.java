package com.aoaigw.proxy.reliability;

import com.aoaigw.config.Azurite;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Config durability through the running proxy: a corrupted file at start (503 and reported, then recovered), a
 * corrupted or invalid file on reload (the last good config keeps serving, the problem is reported), a write
 * that fails half way (a full disk, made with a file-size limit on a child JVM: the old file is intact and no
 * temporary file is left), and the blob store (real Azurite) going down and coming back while the proxy serves
 * traffic and the admin API saves a change (served at once, pushed to the blob when it is back, nothing lost).
 */
@Timeout(170)
class ConfigDurabilityIT {
    static final String ADMIN_USER = "operator";
    static final String ADMIN_PASSWORD = "Durable-Adm1n-Pw-3319";

    @TempDir
    static Path dir;
    static FoundrySim sim;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .strictDeployments(false).build());
    }

    @AfterAll
    static void stop() {
        if (sim != null) {
            sim.close();
        }
    }

    static String doc(String... keys) {
        StringBuilder k = new StringBuilder();
        for (String key : keys) {
            k.append(k.isEmpty() ? "" : ",").append("{\"id\":\"").append(key).append("\",\"key\":\"").append(key)
                    .append("\"}");
        }
        return """
                {"server":{"adminAuth":{"username":"%s","password":"%s"}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[%s],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o-mini","upstream":"sim"}]}
                """.formatted(ADMIN_USER, ADMIN_PASSWORD, k, sim.baseUrl());
    }

    /** Replaces a file atomically (what the store does), so the poller never reads half a file. */
    static void replace(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".next");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static Timed chat(ProxyServer p, String key) {
        return Rig.post("http://127.0.0.1:" + p.port() + "/v1/chat/completions", key, Rig.chat("gpt-4o-mini", false));
    }

    static JsonNode health(ProxyServer p) {
        return Rig.openJson(Rig.get("http://127.0.0.1:" + p.port() + "/healthz").body());
    }

    static String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((ADMIN_USER + ":" + ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void corruptedConfigAtStartIsReportedAndRecoveredWithoutRestart() throws Exception {
        Path file = dir.resolve("start").resolve("config.json");
        Files.createDirectories(file.getParent());
        String good = doc("start-key");
        Files.writeString(file, good.substring(0, good.length() / 2)); // truncated: a crash during a copy
        try (ProxyServer p = ProxyServer.start(ProcessSettings.forTest(file))) {
            Timed h = Rig.get("http://127.0.0.1:" + p.port() + "/healthz");
            assertEquals(503, h.status(), h.body());
            assertEquals("unavailable", Rig.openJson(h.body()).path("status").asText(), h.body());
            assertFalse(Rig.openJson(h.body()).path("reason").asText().isBlank(), h.body());
            Timed c = chat(p, "start-key");
            assertTrue(c.status() == 503 || c.status() == 401, c.body());
            Rig.openAiError(c.body());

            replace(file, good);
            Rig.await("the repaired config to be served", 10_000, () -> "ok".equals(health(p).path("status").asText()));
            assertEquals(200, chat(p, "start-key").status());
        }
    }

    @Test
    void corruptedOrInvalidConfigOnReloadKeepsTheLastGoodOne() throws Exception {
        Path file = dir.resolve("reload").resolve("config.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, doc("reload-key"));
        try (ProxyServer p = ProxyServer.start(ProcessSettings.forTest(file))) {
            assertEquals(200, chat(p, "reload-key").status());
            String loadedAt = health(p).path("configLoadedAt").asText();

            // garbage bytes, then a truncated document, then valid JSON with an unknown key
            int generation = 0;
            for (String bad : List.of("\u0000\u0001 not json at all", doc("x").substring(0, 40),
                    doc("reload-key").replace("\"auth\":", "\"auht\":{},\"auth\":"))) {
                replace(file, bad);
                Rig.await("the refusal to be reported", 10_000, () -> health(p).has("lastReloadProblem"),
                        () -> health(p).toString());
                JsonNode h = health(p);
                assertEquals("ok", h.path("status").asText(), h.toString());
                assertEquals(loadedAt, h.path("configLoadedAt").asText(), "the last good config keeps serving");
                assertEquals(200, chat(p, "reload-key").status());
                // a new good version (another key), so that the next bad version is a change again
                String gen = "gen-key-" + (++generation);
                replace(file, doc("reload-key", gen));
                Rig.await("the good config again", 10_000, () -> !health(p).has("lastReloadProblem")
                        && chat(p, gen).status() == 200, () -> health(p).toString());
                loadedAt = health(p).path("configLoadedAt").asText();
            }
            replace(file, doc("reload-key", "second-key"));
            Rig.await("the new key", 10_000, () -> chat(p, "second-key").status() == 200);
        }
    }

    @Test
    void writeThatFailsHalfWayLeavesTheOldFileIntact() throws Exception {
        Path d = dir.resolve("full");
        Files.createDirectories(d);
        Path file = d.resolve("config.json");
        String old = doc("old-key");
        Files.writeString(file, old);
        // a 16 KiB file-size limit (bash ulimit -f counts 1024-byte blocks): writing a 200 KiB document fails with
        // EFBIG after 16 KiB, like a disk that fills up during the write; the JVM ignores SIGXFSZ
        List<String> cmd = List.of("bash", "-c", "ulimit -f 16 && exec \"$0\" \"$@\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData", "-Xshare:auto",
                "-Xmx96m", "-cp", System.getProperty("java.class.path"), StoreWriteMain.class.getName(),
                file.toString(), String.valueOf(200 * 1024));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out;
        try {
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        } finally {
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.destroyForcibly();
        }
        assertTrue(out.contains("WRITE-FAILED"), "the write must fail under the limit: " + out);
        assertEquals(old, Files.readString(file), "the old document is intact");
        try (Stream<Path> s = Files.list(d)) {
            List<String> names = s.map(x -> x.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.contains(".tmp-")), "no temporary file left: " + names);
        }
        // and the same store without the limit writes it
        Process ok = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-cp", System.getProperty("java.class.path"), StoreWriteMain.class.getName(),
                file.toString(), "1000").redirectErrorStream(true).start();
        assertTrue(ok.waitFor(60, TimeUnit.SECONDS));
        String okOut = new String(ok.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(okOut.contains("WRITE-OK"), okOut);
    }

    @Test
    void blobStoreDownAndBackLosesNothing() throws Exception {
        Path d = dir.resolve("blob");
        Files.createDirectories(d);
        Path cache = d.resolve("config.json");
        Files.writeString(cache, doc("blob-key-1"));
        int port = Azurite.freePort();
        Path data = d.resolve("azurite");
        Azurite azurite = Azurite.start(data, port);
        Map<String, String> env = new HashMap<>(Map.of("CONFIG_PATH", cache.toString(), "PORT", "0",
                "HOST", "127.0.0.1", "CONFIG_POLL_MS", "200", "PERSISTENCE_MODE", "blob",
                "AZURE_STORAGE_CONNECTION_STRING", Azurite.connectionString(port),
                "CONFIG_BLOB_CONTAINER", "reliability", "BLOB_RECOVERY_INTERVAL_MS", "1000"));
        BlobClient blob = new BlobServiceClientBuilder().connectionString(Azurite.connectionString(port))
                .buildClient().getBlobContainerClient("reliability").getBlobClient("config/config.json");
        try (ProxyServer p = ProxyServer.start(ProcessSettings.from(env::get))) {
            String base = "http://127.0.0.1:" + p.port();
            Rig.await("the blob to be seeded", 15_000, () -> blobText(blob).contains("blob-key-1"));
            assertEquals(200, chat(p, "blob-key-1").status());

            azurite.close(); // the blob store goes down
            List<Integer> during = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                during.add(chat(p, "blob-key-1").status());
            }
            // the admin API still reads and saves (the change is queued for the blob)
            Timed get = Rig.get(base + "/admin/api/config", "authorization", basic());
            assertEquals(200, get.status(), get.body());
            JsonNode got = Rig.openJson(get.body());
            ObjectNode cfg = (ObjectNode) got.path("config");
            ((ArrayNode) cfg.path("apiKeys")).addObject().put("id", "blob-key-2").put("key", "blob-key-2");
            Timed put = Rig.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/config"))
                    .timeout(Duration.ofSeconds(30)).header("authorization", basic()).header("x-requested-with", "t")
                    .header("content-type", "application/json").header("if-match", "\"" + got.path("etag").asText() + "\"")
                    .PUT(HttpRequest.BodyPublishers.ofString(cfg.toString())).build());
            assertEquals(200, put.status(), put.body());
            Rig.await("the saved key to be served while the blob is down", 10_000,
                    () -> chat(p, "blob-key-2").status() == 200);
            for (int i = 0; i < 3; i++) {
                during.add(chat(p, "blob-key-1").status());
            }
            assertTrue(during.stream().allMatch(s -> s == 200), "served throughout: " + during);

            azurite = Azurite.start(data, port); // back
            Rig.await("the queued change to reach the blob", 30_000, () -> blobText(blob).contains("blob-key-2"));
            assertTrue(blobText(blob).contains("blob-key-1"), "nothing lost");
            assertEquals(200, chat(p, "blob-key-1").status());
            assertEquals(200, chat(p, "blob-key-2").status());
            assertTrue(Files.readString(cache).contains("blob-key-2"));
            Path sync = d.resolve("config.json.sync.json");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(sync)),
                    "the sync state file is 600");
        } finally {
            azurite.close();
        }
    }

    /**
     * Issue 20.5: an admin save keeps the config file's mode (a 600 file holding the upstream key stays 600, a 640
     * one stays 640, whatever the umask), and a new config file and the {@code .lock} file are created 600.
     */
    @Test
    void adminSaveKeepsTheConfigFileModeAndNewFilesAreOwnerOnly() throws Exception {
        Path d = dir.resolve("mode");
        Files.createDirectories(d);
        Path file = d.resolve("config.json");
        Files.writeString(file, doc("mode-key-1"));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Map<String, String> env = Map.of("CONFIG_PATH", file.toString(), "PORT", "0", "HOST", "127.0.0.1",
                "CONFIG_POLL_MS", "200");
        try (ProxyServer p = ProxyServer.start(ProcessSettings.from(env::get))) {
            String base = "http://127.0.0.1:" + p.port();
            saveWithKey(base, "mode-key-2");
            assertTrue(Files.readString(file).contains("mode-key-2"));
            assertEquals("rw-------", mode(file), "a 600 config stays 600 after a save");
            assertEquals("rw-------", mode(d.resolve("config.json.lock")), "the lock file is 600");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
            saveWithKey(base, "mode-key-3");
            assertEquals("rw-r-----", mode(file), "the operator's mode is kept");
        }
        Path fresh = d.resolve("new").resolve("config.json");
        new com.aoaigw.config.FileConfigStore(fresh, Duration.ofSeconds(1)).write(doc("mode-key-4"), null);
        assertEquals("rw-------", mode(fresh), "a new config file is 600");
    }

    private static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    private static void saveWithKey(String base, String key) {
        Timed get = Rig.get(base + "/admin/api/config", "authorization", basic());
        assertEquals(200, get.status(), get.body());
        JsonNode got = Rig.openJson(get.body());
        ObjectNode cfg = (ObjectNode) got.path("config");
        ((ArrayNode) cfg.path("apiKeys")).addObject().put("id", key).put("key", key);
        Timed put = Rig.send(HttpRequest.newBuilder(URI.create(base + "/admin/api/config"))
                .timeout(Duration.ofSeconds(30)).header("authorization", basic()).header("x-requested-with", "t")
                .header("content-type", "application/json").header("if-match", "\"" + got.path("etag").asText() + "\"")
                .PUT(HttpRequest.BodyPublishers.ofString(cfg.toString())).build());
        assertEquals(200, put.status(), put.body());
    }

    private static String blobText(BlobClient blob) {
        try {
            return blob.downloadContent().toString();
        } catch (RuntimeException e) {
            return "";
        }
    }
}
