package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.aoaigw.proxy.admin.PasswordHasher;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code make run} ({@code scripts/run.sh}) and the jar's operator commands, run as processes the way an operator
 * runs them: a port in use, a config with errors, the banner for {@code CONFIG=...}, {@code reset-admin-password}.
 * Each run gets its own {@code RUN_DIR}; Caddy is kept out ({@code CADDY_BIN} points nowhere).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RunScriptIT {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final String PASSWORD = "Run-script-admin-0123";

    @TempDir
    Path dir;

    private static String config(String adminAuth, String models) {
        return """
                {"server":{"host":"127.0.0.1","adminAuth":%s},
                 "auth":{"mode":"apiKey","apiKey":"upstream-key"},
                 "apiKeys":[{"id":"team-a","key":"client-key-0123456789"},{"id":"old","key":"k-2","status":"disabled"}],
                 "upstreams":[{"name":"u","baseUrl":"http://127.0.0.1:9"}],
                 "models":[%s]}
                """.formatted(adminAuth, models);
    }

    private ProcessBuilder runScript(Path cfg, int port) {
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("scripts/run.sh").toString(), cfg.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("RUN_DIR", dir.resolve("run").toString());
        pb.environment().put("PORT", Integer.toString(port));
        pb.environment().put("CADDY_BIN", dir.resolve("no-caddy").toString());
        pb.environment().remove("LOG_FORMAT");
        return pb.redirectErrorStream(true);
    }

    private static Result finish(Process p, long seconds) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), "did not finish: " + out);
        return new Result(p.exitValue(), out);
    }

    private record Result(int code, String out) {
    }

    private static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        for (ProcessHandle h : children) {
            h.destroyForcibly();
        }
    }

    @Test
    void aPortInUseIsOneLineAtOnceAndStartsNothing() throws Exception {
        Path cfg = dir.resolve("config.json");
        String doc = config("{\"username\":\"ops\",\"password\":\"" + PASSWORD + "\"}", "{\"id\":\"alpha\",\"upstream\":\"u\"}");
        Files.writeString(cfg, doc);
        try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            Result r = finish(runScript(cfg, busy.getLocalPort()).start(), 30);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("run.sh with the port in use answered in " + ms + " ms");
            assertEquals(1, r.code(), r.out());
            assertEquals(List.of("error: port " + busy.getLocalPort() + " is already in use (another make run or another "
                    + "program); stop it or use make run PORT=<free port>"), r.out().lines().toList());
            assertFalse(Files.exists(dir.resolve("run/proxy.log")), "no log of another run is overwritten");

            // the jar alone, racing past such a check: one line, no stack trace, no success line, nothing written
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-jar", ROOT.resolve("proxy/target/proxy.jar").toString()).redirectErrorStream(true);
            pb.environment().put("CONFIG_PATH", cfg.toString());
            pb.environment().put("PORT", Integer.toString(busy.getLocalPort()));
            pb.environment().put("HOST", "127.0.0.1");
            Result jar = finish(pb.start(), 120);
            assertEquals(1, jar.code(), jar.out());
            List<String> errors = jar.out().lines().filter(l -> l.startsWith("error: ")).toList();
            assertEquals(List.of("error: port " + busy.getLocalPort() + " on 127.0.0.1 is already in use; stop what "
                    + "listens there or choose another port (PORT=...)"), errors, jar.out());
            assertFalse(jar.out().contains("\tat ") || jar.out().contains("Exception"), jar.out());
            assertFalse(jar.out().contains("proxy listening on"), jar.out());
            assertEquals(doc, Files.readString(cfg), "the config is untouched");
        }
    }

    @Test
    void aConfigWithErrorsFailsFastWithTheValidatorsLinesNamingTheFile() throws Exception {
        Path cfg = dir.resolve("broken.json");
        Files.writeString(cfg, """
                {"server":{"port":"3000"},"auth":{"mode":"apiKey","apiKey":"k"},
                 "apiKeys":[{"id":"a","key":"client-key-0123456789"}],
                 "upstreams":[{"name":"u","baseUrl":"http://127.0.0.1:9"}],"models":[{"id":"m","upstream":"nope"}]}
                """);
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        Result r = finish(runScript(cfg, port).start(), 60);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("run.sh with a broken config answered in " + ms + " ms");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.out().contains(cfg + ": error: server.port: expected an integer, got the string \"3000\""), r.out());
        assertTrue(r.out().contains(cfg + ": error: models[0].upstream:"), r.out());
        assertTrue(r.out().contains("error: the config has errors (above); nothing was started"), r.out());
        assertFalse(r.out().contains("AOAI Gateway is running") || r.out().contains("did not answer"), r.out());
        assertFalse(Files.exists(dir.resolve("run/proxy.log")), "the proxy was never started");
        // the machine these tests share is loaded; the bound is generous, the measurement is printed above
        assertTrue(ms < 30_000, ms + " ms");
    }

    @Test
    void theBannerIsTrueForAUserConfigAndResetAdminPasswordReachesTheRunningProxy() throws Exception {
        Path cfg = dir.resolve("mine.json");
        Files.writeString(cfg, config("{\"username\":\"ops\",\"password\":\"" + PASSWORD + "\"}",
                "{\"id\":\"alpha\",\"upstream\":\"u\"},{\"id\":\"beta\",\"upstream\":\"u\"}"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process run = runScript(cfg, port).start();
        List<String> lines = new ArrayList<>();
        try {
            BufferedReader in = new BufferedReader(new InputStreamReader(run.getInputStream(), StandardCharsets.UTF_8));
            int rules = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
                if (line.startsWith("=====") && ++rules == 2) {
                    break;
                }
            }
            String out = String.join("\n", lines);
            assertTrue(out.contains("AOAI Gateway is running"), out);
            assertTrue(out.contains("   models       alpha beta"), out);
            assertTrue(out.contains("one of apiKeys[] in " + cfg + " (ids: team-a)"), out);
            assertTrue(out.contains("password: the one configured in " + cfg + ")"), out);
            assertTrue(out.contains("\"model\":\"alpha\""), out);
            assertTrue(out.contains("   import os"), "the Python snippet runs as printed: " + out);
            assertFalse(out.contains("delete .run/") || out.contains("Admin password generated")
                    || out.contains("foundry-sim"), out);
            // config warnings reach the console at start
            assertTrue(out.contains("config warning: server.adminAuth.password:"), out);
            assertFalse(Files.readString(cfg).contains("passwordHash"), "no throwaway password was generated");

            // reset-admin-password writes a new hash through the store; the running proxy takes it
            ProcessBuilder reset = new ProcessBuilder("make", "-s", "admin-password", "CONFIG=" + cfg)
                    .directory(ROOT.toFile()).redirectErrorStream(true);
            reset.environment().put("JAVA_HOME", System.getProperty("java.home"));
            Result r = finish(reset.start(), 120);
            assertEquals(0, r.code(), r.out());
            Matcher m = Pattern.compile("New admin password for user 'ops': ([A-Za-z0-9]{24})").matcher(r.out());
            assertTrue(m.find(), r.out());
            String fresh = m.group(1);
            assertEquals(1, r.out().split(fresh, -1).length - 1, "printed once: " + r.out());
            JsonNode doc = new ObjectMapper().readTree(Files.readString(cfg));
            assertFalse(doc.at("/server/adminAuth").has("password"), doc.toString());
            assertTrue(new PasswordHasher().verify(fresh, doc.at("/server/adminAuth/passwordHash").asText()));
            assertEquals("team-a", doc.at("/apiKeys/0/id").asText(), "the rest of the config is kept");

            HttpClient http = HttpClient.newHttpClient();
            int status = 0;
            for (int i = 0; i < 100 && status != 200; i++) {
                status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/api/runtime"))
                        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                                ("ops:" + fresh).getBytes(StandardCharsets.UTF_8))).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    Thread.sleep(200);
                }
            }
            assertEquals(200, status, "the running proxy accepts the new password");
        } finally {
            stop(run);
        }
    }

    @Test
    void checkConfigPrintsASummaryForScripts() throws Exception {
        Path cfg = dir.resolve("ok.json");
        Files.writeString(cfg, config("{\"username\":\"ops\",\"passwordHash\":\"" + new PasswordHasher().hash(PASSWORD)
                + "\"}", "{\"id\":\"alpha\",\"upstream\":\"u\"}"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ROOT.resolve("proxy/target/proxy.jar").toString(), "check-config", cfg.toString());
        Result r = finish(pb.redirectErrorStream(true).start(), 60);
        assertEquals(0, r.code(), r.out());
        assertEquals(List.of("models alpha", "keys team-a", "admin-password usable"), r.out().lines().toList());
    }
}
