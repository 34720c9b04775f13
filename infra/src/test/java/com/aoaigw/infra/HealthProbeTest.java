package com.aoaigw.infra;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The images' health probe, compiled as the Dockerfiles compile it, against real local HTTP servers standing in for
 * the proxy and Caddy's admin API. A healthy and an unhealthy case run as a separate JVM exactly like the
 * {@code HEALTHCHECK} command (exit code included); the other cases call the same compiled class in-process.
 */
@Timeout(60)
class HealthProbeTest {
    private static final List<String> JVM_FLAGS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m");

    @TempDir
    static Path classes;
    private static HttpServer server;
    private static final AtomicInteger STATUS = new AtomicInteger(200);
    private static final AtomicInteger CADDY_CALLS = new AtomicInteger();

    @TempDir
    Path tmp;

    @BeforeAll
    static void compileAndServe() throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests need a JDK");
        int rc = javac.run(null, null, null, "--release", "25", "-d", classes.toString(),
                Repo.path("infra/docker/HealthProbe.java").toString());
        assertEquals(0, rc, "HealthProbe.java must compile with javac --release 25, as in the Dockerfiles");

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/healthz", exchange -> {
            byte[] body = "{\"status\":\"ok\"}".getBytes();
            exchange.sendResponseHeaders(STATUS.get(), body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/config/", exchange -> {
            CADDY_CALLS.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static Repo.Run probe(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", classes.toString(), "HealthProbe"));
        command.addAll(List.of(args));
        Map<String, String> all = new HashMap<>();
        all.put("PORT", null);
        all.put("CONFIG_PATH", null);
        all.put("JAVA_TOOL_OPTIONS", null);
        all.putAll(env);
        return Repo.run(all, command);
    }

    /**
     * Runs the compiled probe inside this JVM (its {@code run} method, no {@code System.exit}): the same class as the
     * image runs, without the cost of a JVM start per case. Two cases per mode also run as a real child JVM.
     */
    private static Repo.Run inProcess(Map<String, String> env, String... args) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        java.io.PrintStream stderr = System.err;
        try (java.net.URLClassLoader loader = new java.net.URLClassLoader(new java.net.URL[] {classes.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            java.lang.reflect.Method run = loader.loadClass("HealthProbe")
                    .getDeclaredMethod("run", String[].class, java.util.function.Function.class);
            run.setAccessible(true);
            System.setOut(new java.io.PrintStream(out, true));
            System.setErr(new java.io.PrintStream(err, true));
            java.util.function.Function<String, String> lookup = env::get;
            int code = (int) run.invoke(null, args, lookup);
            return new Repo.Run(code, out.toString(), err.toString());
        } catch (ReflectiveOperationException | IOException e) {
            throw new AssertionError("cannot run HealthProbe in-process", e);
        } finally {
            System.setOut(stdout);
            System.setErr(stderr);
        }
    }

    private int port() {
        return server.getAddress().getPort();
    }

    @Test
    void healthyWhenHealthzAnswers2xxOnThePortFromTheEnvironment() {
        STATUS.set(200);
        Repo.Run run = probe(Map.of("PORT", String.valueOf(port())), "http", "/healthz", "PORT", "3000");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.stdout().contains("healthy: GET http://127.0.0.1:" + port() + "/healthz -> 200"), run.all());
    }

    @Test
    void unhealthyWhenHealthzAnswers503() {
        STATUS.set(503);
        try {
            Repo.Run run = inProcess(Map.of("PORT", String.valueOf(port())), "http", "/healthz", "PORT", "3000");
            assertEquals(1, run.exitCode(), run.all());
            assertTrue(run.stdout().contains("-> 503"), run.all());
        } finally {
            STATUS.set(200);
        }
    }

    @Test
    void unhealthyWhenNothingListensAndDefaultPortIsUsedWhenTheVariableIsUnset() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Repo.Run run = inProcess(Map.of(), "http", "/healthz", "PORT", String.valueOf(closed));
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.stdout().contains("127.0.0.1:" + closed + "/healthz failed"), run.all());
    }

    @Test
    void caddyModePassesWithoutConfigOrWhenCaddyIsDisabled() throws IOException {
        Repo.Run none = inProcess(Map.of("CONFIG_PATH", tmp.resolve("absent.json").toString()), "caddy");
        assertEquals(0, none.exitCode(), none.all());
        assertTrue(none.stdout().contains("no config"), none.all());

        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, """
                {"server": {"caddy": {"enabled": false, "transport": {"dialTimeoutMs": 5000}}},
                 "models": [{"id": "caddy", "routes": {"enabled": "true"}}]}
                """);
        Repo.Run disabled = inProcess(Map.of("CONFIG_PATH", cfg.toString()), "caddy");
        assertEquals(0, disabled.exitCode(), disabled.all());
        assertTrue(disabled.stdout().contains("Caddy disabled"), disabled.all());
    }

    @Test
    void caddyModeChecksTheAdminApiWhenEnabled() throws IOException {
        Path cfg = tmp.resolve("config.json");
        Files.writeString(cfg, """
                {"server": {"port": 3000, "caddy": {"transport": {"keepAliveTimeoutMs": 1e5}, "enabled": true,
                  "domain": "gw.example.test", "adminAddress": "127.0.0.1:%d"}}}
                """.formatted(port()));
        int before = CADDY_CALLS.get();
        Repo.Run up = inProcess(Map.of("CONFIG_PATH", cfg.toString()), "caddy");
        assertEquals(0, up.exitCode(), up.all());
        assertEquals(before + 1, CADDY_CALLS.get(), "the probe must have asked the admin API");

        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Files.writeString(cfg, """
                {"server": {"caddy": {"enabled": true, "adminAddress": "127.0.0.1:%d"}}}
                """.formatted(closed));
        Repo.Run down = probe(Map.of("CONFIG_PATH", cfg.toString()), "caddy");
        assertEquals(1, down.exitCode(), down.all());
        assertTrue(down.stdout().contains("127.0.0.1:" + closed + "/config/ failed"), down.all());
    }

    @Test
    void usageErrorsExitWith2() {
        Repo.Run run = inProcess(Map.of(), "ftp");
        assertEquals(2, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("usage: HealthProbe"), run.all());
    }
}
