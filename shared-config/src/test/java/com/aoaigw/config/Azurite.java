package com.aoaigw.config;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Azurite blob service on a loopback port, started for a test and stopped after it. Shared with the proxy
 * module's tests through this module's test jar.
 */
public final class Azurite implements AutoCloseable {
    /** The well-known Azurite development account key (public, documented by Microsoft). */
    public static final String KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;
    private final int port;

    private Azurite(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** @return a free loopback port (nothing listens on it when this returns) */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * @param port the port to connect to
     * @return the Azurite development account's connection string for that port
     */
    public static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/devstoreaccount1;";
    }

    /**
     * Starts Azurite and waits until it answers.
     *
     * @param dataDir its data directory
     * @param port    the port
     * @return the running service
     */
    public static Azurite start(Path dataDir, int port) throws IOException, InterruptedException {
        Path bin = toolsDir().resolve("node_modules").resolve(".bin").resolve("azurite-blob");
        if (!Files.isExecutable(bin)) {
            throw new AssertionError("Azurite is missing: " + bin + " not found; run scripts/install-tools.sh");
        }
        Files.createDirectories(dataDir);
        Process p = new ProcessBuilder(List.of(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                String.valueOf(port), "--location", dataDir.toString(), "--skipApiVersionCheck", "--loose",
                "--disableTelemetry", "--silent"))
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("azurite.log").toFile())
                .start();
        Azurite a = new Azurite(p, port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("Azurite exited with " + p.exitValue() + "; see " + dataDir.resolve("azurite.log"));
            }
            try {
                // 403 AuthorizationFailure proves it is up
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/devstoreaccount1?comp=list"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
                return a;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        a.close();
        throw new AssertionError("Azurite did not answer on port " + port + " within 30 s");
    }

    int port() {
        return port;
    }

    String connectionString() {
        return connectionString(port);
    }

    private static Path toolsDir() {
        String prop = System.getProperty("tools.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("tools").resolve("node_modules"))) {
                return dir.resolve("tools");
            }
            dir = dir.getParent();
        }
        return Path.of("tools");
    }

    /** Stops it gracefully (it saves its metadata), and forcibly after 10 s; children too. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
