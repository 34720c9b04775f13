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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The proxy's AOT cache (issue 22, item 4): {@code infra/docker/AotTraining.java}, the program the image build and
 * {@code make aot} run, writes a cache from the packaged jars, and the proxy then starts with
 * {@code -XX:AOTMode=on}, which makes the JVM refuse to start unless it can use that cache: a cache trained with other
 * flags, another class path or a changed jar fails this test.
 */
@Timeout(900)
class AotCacheIT {
    private static final List<String> FLAGS = List.of("-XX:+UseSerialGC", "-XX:+UseCompactObjectHeaders");

    @TempDir
    Path tmp;

    @Test
    void theTrainedCacheIsUsedByTheProxyWithTheSameFlags() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path proxyJar = Repo.root().resolve("proxy/target/proxy.jar");
        Path simJar = Repo.root().resolve("foundry-sim/target/foundry-sim.jar");
        assertTrue(Files.isRegularFile(proxyJar) && Files.isRegularFile(simJar), "build the jars first (mvn -B verify does)");
        Path cache = tmp.resolve("proxy.aot");
        List<String> train = new ArrayList<>(List.of(java, Repo.path("infra/docker/AotTraining.java").toString(),
                proxyJar.toString(), simJar.toString(), cache.toString()));
        train.addAll(FLAGS);
        Process training = new ProcessBuilder(train).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("training.log").toFile()).start();
        try {
            if (!training.waitFor(600, TimeUnit.SECONDS)) {
                fail("the training run took more than 600 s:\n" + Files.readString(tmp.resolve("training.log")));
            }
        } finally {
            // The trainer stops its own children; these are left only when it was killed or timed out.
            training.descendants().forEach(ProcessHandle::destroyForcibly);
            training.destroyForcibly();
        }
        assertEquals(0, training.exitValue(), Files.readString(tmp.resolve("training.log")));
        assertTrue(Files.size(cache) > 10_000_000L, "a cache of the loaded classes: " + Files.size(cache));

        Path config = tmp.resolve("config.json");
        Files.writeString(config, Repo.text("infra/compose/sim-config.json").replace("0.0.0.0", "127.0.0.1"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(FLAGS);
        cmd.addAll(List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on", "-jar", proxyJar.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("proxy.log").toFile());
        pb.environment().putAll(Map.of("CONFIG_PATH", config.toString(), "PORT", String.valueOf(port),
                "DEMO_CLIENT_KEY", "aot-it-demo-key-0123456789", "SIM_API_KEYS", "unused"));
        Process proxy = pb.start();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (true) {
                if (!proxy.isAlive()) {
                    fail("the proxy did not start with the cache (-XX:AOTMode=on):\n" + Files.readString(tmp.resolve("proxy.log")));
                }
                try {
                    if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    fail("not ready within 300 s:\n" + Files.readString(tmp.resolve("proxy.log")));
                }
                Thread.sleep(200);
            }
        } finally {
            proxy.destroy();
            if (!proxy.waitFor(60, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
    }
}
