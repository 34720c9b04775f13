package com.aoaigw.proxy.state;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} for tests (installed by scripts/install-tools.sh): on a free loopback port, no
 * persistence, optionally with a password; stopped (and restartable on the same port) by the test.
 */
public final class RedisProcess implements AutoCloseable {
    private final int port;
    private final String password;
    private final Path dir;
    private Process process;

    private RedisProcess(int port, String password) throws IOException {
        this.port = port;
        this.password = password;
        this.dir = Files.createTempDirectory("redis-test");
    }

    /**
     * @param password a password to require, or null
     * @return a running server
     * @throws Exception when it does not start
     */
    public static RedisProcess start(String password) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        RedisProcess r = new RedisProcess(port, password);
        r.startProcess();
        return r;
    }

    /** @return the port */
    public int port() {
        return port;
    }

    /** @return the URL to reach it */
    public String url() {
        return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
    }

    /**
     * Starts the server (again) on the same port.
     *
     * @throws Exception when it does not answer within 20 s
     */
    public synchronized void startProcess() throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString(),
                "--daemonize", "no", "--loglevel", "warning"));
        if (password != null) {
            cmd.addAll(List.of("--requirepass", password));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited: " + Files.readString(dir.resolve("redis.log")));
            }
            if (ping()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("redis-server did not answer on port " + port);
    }

    /** Kills the server (as a crash would). */
    public synchronized void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Stops or continues the server without losing its data (SIGSTOP / SIGCONT), as a network partition would look
     * to a client: connections stay open and get no answer.
     *
     * @param paused true to stop it, false to let it go on
     */
    public synchronized void pause(boolean paused) throws Exception {
        Process p = new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid())).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("kill " + (paused ? "-STOP" : "-CONT") + " failed");
        }
    }

    private boolean ping() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            String cmd = password == null ? "PING\r\n" : "AUTH " + password + "\r\nPING\r\n";
            out.write(cmd.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[64];
            StringBuilder got = new StringBuilder();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (!got.toString().contains("PONG") && System.nanoTime() < deadline) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
            return got.toString().contains("PONG");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        kill();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Waits (bounded) until every given client reports Redis reachable: on a loaded machine a first connection can
     * time out, and the client then answers alone until its prober reconnects, which a test of sharing must not see.
     *
     * @param ups the clients' {@code up()} checks
     */
    public static void awaitUp(java.util.function.BooleanSupplier... ups) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        for (java.util.function.BooleanSupplier up : ups) {
            while (!up.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("a Redis client did not connect within 30 s");
                }
                Thread.sleep(50);
            }
        }
    }
}
