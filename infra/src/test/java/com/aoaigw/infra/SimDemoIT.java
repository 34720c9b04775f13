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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * The compose {@code sim} demo without Docker and without a .env: the environment of each service is rendered by the
 * real {@code docker-compose config}, and the packaged jars are started through the images' entry point with it, the
 * way the containers start them ({@code APP_JAR}, {@code JAVA_OPTS}, {@code CONFIG_SEED} = the shipped
 * sim-config.json, the generated demo secrets and caddy-manager token on the "volume"). Then the images' health probe,
 * a chat completion with the printed demo client key, and the internal endpoint with the generated token. What differs
 * from compose: ports are ephemeral (not 3000 / 8080), /app/data is a temporary directory, and the proxy binds
 * 127.0.0.1 instead of 0.0.0.0.
 */
@Timeout(180)
class SimDemoIT {

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

    /**
     * The environment docker compose gives a service in the sim layout with no .env, rendered by the real
     * {@code docker-compose config}; paths under /app are moved into the test's directory.
     */
    private Map<String, String> composeEnvironment(String service, Map<String, String> replacements) throws IOException {
        Map<String, String> clean = new HashMap<>();
        for (String v : List.of("CADDY_MANAGER_TOKEN", "DEMO_CLIENT_KEY", "SIM_API_KEY", "COMPOSE_FILE", "COMPOSE_PROFILES",
                "PERSISTENCE_MODE", "AZURE_STORAGE_ACCOUNT_URL", "REDIS_URL", "PROXY_JAVA_OPTS", "LOG_LEVEL")) {
            clean.put(v, null);
        }
        Path empty = tmp.resolve("empty.env");
        Files.writeString(empty, "");
        Repo.Run run = Repo.run(clean, List.of("docker-compose", "--env-file", empty.toString(), "-f", "compose.yaml",
                "-f", "infra/compose/sim.yaml", "config"));
        assertEquals(0, run.exitCode(), run.all());
        JsonNode env = Repo.YAML.readTree(run.stdout()).at("/services/" + service + "/environment");
        Map<String, String> out = new HashMap<>();
        env.fields().forEachRemaining(e -> {
            String value = e.getValue().asText();
            for (var r : replacements.entrySet()) {
                value = value.replace(r.getKey(), r.getValue());
            }
            out.put(e.getKey(), value);
        });
        return out;
    }

    @Test
    void simDemoWithNoEnvGeneratesItsSecretsAndServesAChatCompletion() throws Exception {
        int simPort = freePort();
        int proxyPort = freePort();
        String javaOpts = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx256m";
        Path data = tmp.resolve("data");
        Map<String, String> paths = Map.of("/app/data", data.toString(), "/app/seed", tmp.resolve("seed").toString());

        // The shipped seed, with the two documented differences (ephemeral port, loopback bind).
        String seedText = Repo.text("infra/compose/sim-config.json");
        assertTrue(seedText.contains("\"http://127.0.0.1:8080/\"") && seedText.contains("\"0.0.0.0\""), seedText);
        Path seed = tmp.resolve("seed/sim-config.json");
        Files.createDirectories(seed.getParent());
        Files.writeString(seed, seedText.replace("127.0.0.1:8080", "127.0.0.1:" + simPort).replace("0.0.0.0", "127.0.0.1"));
        Path config = data.resolve("config.json");

        Map<String, String> proxyEnv = composeEnvironment("proxy", paths);
        assertEquals("", proxyEnv.get("CADDY_MANAGER_TOKEN"), proxyEnv.toString());
        assertEquals("", proxyEnv.get("DEMO_CLIENT_KEY"), proxyEnv.toString());
        proxyEnv.putAll(Map.of("APP_JAR", jar("proxy").toString(), "JAVA_OPTS", javaOpts, "PORT", String.valueOf(proxyPort)));
        Process proxy = start("proxy", proxyEnv);

        // foundry-sim starts after the proxy (it joins its namespace) and waits for the key the proxy generates.
        Map<String, String> simEnv = composeEnvironment("foundry-sim", paths);
        simEnv.putAll(Map.of("APP_JAR", jar("foundry-sim").toString(), "JAVA_OPTS", javaOpts,
                "SIM_PORT", String.valueOf(simPort), "SIM_ZERO_LATENCY", "true"));
        Process sim = start("foundry-sim", simEnv);

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

            // The demo key the proxy's entry point printed once, as a user reads it from `docker compose logs proxy`.
            Matcher printed = Pattern.compile("generated DEMO_CLIENT_KEY=([A-Za-z0-9]+) ").matcher(log("proxy"));
            assertTrue(printed.find(), log("proxy"));
            String demoKey = printed.group(1);
            String secrets = Files.readString(data.resolve("demo-secrets.env"));
            assertTrue(secrets.contains("DEMO_CLIENT_KEY=" + demoKey + "\n"), "stored for the next start");
            String simKey = secrets.replaceAll("(?s).*SIM_API_KEYS=([A-Za-z0-9]+).*", "$1");
            assertFalse(log("proxy").contains(simKey) || log("foundry-sim").contains(simKey), "the sim key is never printed");

            String body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello from compose\"}]}";
            HttpRequest.Builder chat = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            HttpResponse<String> ok = http.send(chat.copy().header("Authorization", "Bearer " + demoKey).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, ok.statusCode(), ok.body() + "\n" + log("proxy") + "\n" + log("foundry-sim"));
            JsonNode completion = Repo.JSON.readTree(ok.body());
            assertFalse(completion.at("/choices/0/message/content").asText().isEmpty(), ok.body());

            HttpResponse<String> wrong = http.send(chat.copy().header("Authorization", "Bearer not-the-demo-key").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(401, wrong.statusCode(), wrong.body());

            // The caddy-manager token: generated by the proxy into the volume (mode 600) and required by its endpoint.
            Path tokenFile = data.resolve("caddy-manager.token");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)));
            String token = Files.readString(tokenFile).trim();
            assertTrue(token.matches("[0-9a-f]{64}"), "64 hex digits");
            HttpRequest.Builder report = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort
                            + "/internal/caddy/report")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"reportedAt\":\"2026-01-01T00:00:00Z\"}"));
            assertEquals(204, http.send(report.copy().header("Authorization", "Bearer " + token).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), log("proxy"));
            assertEquals(401, http.send(report.copy().header("Authorization", "Bearer " + "0".repeat(64)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }

        // Seeded once; the secrets stay references in the stored document (the admin bootstrap may have rewritten it).
        String stored = Files.readString(config);
        assertTrue(stored.contains("env:DEMO_CLIENT_KEY") && stored.contains("env:SIM_API_KEYS"), stored);
        assertTrue(log("proxy").contains("seeded " + config), log("proxy"));
        // No JDK warnings at start (issue 21 item 17): no sun.misc.Unsafe, no native-access lines.
        for (String name : List.of("proxy", "foundry-sim")) {
            assertFalse(log(name).contains("WARNING: A terminally deprecated method")
                    || log(name).contains("WARNING: A restricted method"), name + ":\n" + log(name));
        }
    }
}
