package com.aoaigw.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.tools.ToolProvider;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The compose {@code sim} demo without Docker: the packaged jars started through the images' entry point, the way the
 * containers start them ({@code APP_JAR}, {@code JAVA_OPTS}, {@code CONFIG_SEED} = the shipped sim-config.json), then
 * the images' health probe and a chat completion with the demo client key. Only two things differ from compose: ports
 * are ephemeral (not 3000 / 8080), and the proxy binds 127.0.0.1 instead of 0.0.0.0.
 */
@Timeout(180)
class SimDemoIT {
    private static final String DEMO_KEY = "it-demo-client-key-0123456789abcdef";
    private static final String SIM_KEY = "it-sim-api-key";

    @TempDir
    Path tmp;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path jar(String module) {
        Path jar = Repo.root().resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar) || !Files.isDirectory(jar.resolveSibling("libs"))) {
            fail(jar + " (with libs/) is missing: build it first (mvn -B verify builds it before this module)");
        }
        return jar;
    }

    private Process start(String name, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("sh", Repo.path("infra/docker/entrypoint.sh").toString())
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".log").toFile());
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
                + System.getenv("PATH"));
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        processes.add(p);
        return p;
    }

    private String log(String name) {
        try {
            return Files.readString(tmp.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Polls {@code url} until it answers 200, at most 90 s. */
    private void awaitOk(HttpClient http, String url, Process process, String name) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        int last = -1;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail(name + " exited with " + process.exitValue() + ":\n" + log(name));
            }
            try {
                last = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (last == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail(name + " not ready at " + url + " (last status " + last + "):\n" + log(name));
    }

    @Test
    void simDemoServesAChatCompletionFromTheShippedSeed() throws Exception {
        int simPort = freePort();
        int proxyPort = freePort();
        String javaOpts = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m";

        Process sim = start("foundry-sim", Map.of("APP_JAR", jar("foundry-sim").toString(), "JAVA_OPTS", javaOpts,
                "SIM_PORT", String.valueOf(simPort), "SIM_API_KEYS", SIM_KEY, "SIM_ZERO_LATENCY", "true"));

        // The shipped seed, with the two documented differences (ephemeral port, loopback bind).
        String seedText = Repo.text("infra/compose/sim-config.json");
        assertTrue(seedText.contains("\"http://127.0.0.1:8080/\"") && seedText.contains("\"0.0.0.0\""), seedText);
        Path seed = tmp.resolve("seed/sim-config.json");
        Files.createDirectories(seed.getParent());
        Files.writeString(seed, seedText.replace("127.0.0.1:8080", "127.0.0.1:" + simPort).replace("0.0.0.0", "127.0.0.1"));
        Path config = tmp.resolve("data/config.json");

        Process proxy = start("proxy", Map.of("APP_JAR", jar("proxy").toString(), "JAVA_OPTS", javaOpts,
                "CONFIG_PATH", config.toString(), "CONFIG_SEED", seed.toString(), "PORT", String.valueOf(proxyPort),
                "DEMO_CLIENT_KEY", DEMO_KEY, "SIM_API_KEY", SIM_KEY, "CADDY_MANAGER_TOKEN", "it-token",
                "LOG_LEVEL", "INFO"));

        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            awaitOk(http, "http://127.0.0.1:" + simPort + "/_sim/stats", sim, "foundry-sim");
            awaitOk(http, "http://127.0.0.1:" + proxyPort + "/healthz", proxy, "proxy");

            // The images' HEALTHCHECK command, as a child JVM, against the real processes.
            Path probeClasses = tmp.resolve("probe");
            assertNotNull(ToolProvider.getSystemJavaCompiler(), "tests need a JDK");
            assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "25", "-d",
                    probeClasses.toString(), Repo.path("infra/docker/HealthProbe.java").toString()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Repo.Run proxyProbe = Repo.run(tmp, Map.of("PORT", String.valueOf(proxyPort)), List.of(java,
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", probeClasses.toString(),
                    "HealthProbe", "http", "/healthz", "PORT", "3000"));
            assertEquals(0, proxyProbe.exitCode(), proxyProbe.all());
            Repo.Run simProbe = Repo.run(tmp, Map.of("SIM_PORT", String.valueOf(simPort)), List.of(java,
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", probeClasses.toString(),
                    "HealthProbe", "http", "/_sim/stats", "SIM_PORT", "8080"));
            assertEquals(0, simProbe.exitCode(), simProbe.all());

            String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello from compose\"}]}";
            HttpRequest.Builder chat = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> ok = http.send(chat.copy().header("Authorization", "Bearer " + DEMO_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body() + "\n" + log("proxy"));
            JsonNode completion = Repo.JSON.readTree(ok.body());
            assertFalse(completion.at("/choices/0/message/content").asText().isEmpty(), ok.body());

            HttpResponse<String> wrong = http.send(chat.copy().header("Authorization", "Bearer not-the-demo-key").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode(), wrong.body());
        }

        // Seeded once; the secrets stay references in the stored document (the admin bootstrap may have rewritten it).
        String stored = Files.readString(config);
        assertTrue(stored.contains("env:DEMO_CLIENT_KEY") && stored.contains("env:SIM_API_KEY"), stored);
        assertFalse(stored.contains(DEMO_KEY) || stored.contains(SIM_KEY), "secret values written to the config");
        assertTrue(log("proxy").contains("seeded " + config), log("proxy"));
    }
}
