package com.aoaigw.proxy.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Azurite blob service (from {@code tools/node_modules}, installed by {@code scripts/install-tools.sh}) on a
 * fixed loopback port chosen free by the test, so that it can be killed and started again on the same port with
 * the same data: "blob store down and back".
 */
final class AzuriteProcess implements AutoCloseable {
    /** The well-known Azurite development account key (public, documented by Microsoft). */
    static final String DEV_KEY =
            "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private final Process process;

    private AzuriteProcess(Process process) {
        this.process = process;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String connectionString(int port) {
        return "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + DEV_KEY
                + ";BlobEndpoint=http://127.0.0.1:" + port + "/devstoreaccount1;";
    }

    static AzuriteProcess start(Path dataDir, int port) throws IOException, InterruptedException {
        Path bin = toolsDir().resolve("node_modules").resolve(".bin").resolve("azurite-blob");
        if (!Files.isExecutable(bin)) {
            throw new AssertionError("Azurite is missing: " + bin + " not found; run scripts/install-tools.sh");
        }
        Files.createDirectories(dataDir);
        Process p = new ProcessBuilder(List.of(bin.toString(), "--blobHost", "127.0.0.1", "--blobPort",
                String.valueOf(port), "--location", dataDir.toString(), "--skipApiVersionCheck", "--loose",
                "--disableTelemetry", "--silent"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("azurite.log").toFile()))
                .start();
        AzuriteProcess a = new AzuriteProcess(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new AssertionError("Azurite exited with " + p.exitValue() + "; see " + dataDir.resolve("azurite.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return a;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        a.close();
        throw new AssertionError("Azurite did not listen on port " + port + " within 40 s");
    }

    private static Path toolsDir() {
        String prop = System.getProperty("tools.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("tools").resolve("node_modules"))) {
                return d.resolve("tools");
            }
        }
        return Path.of("tools");
    }

    /**
     * Stops it (SIGTERM, so that it saves its metadata like after an outage of the service, not a data loss),
     * forcibly after 10 s, children too, and waits until the port is closed.
     */
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
