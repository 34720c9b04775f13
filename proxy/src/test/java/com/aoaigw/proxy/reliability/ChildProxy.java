package com.aoaigw.proxy.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.aoaigw.proxy.Main;

/**
 * The proxy as a real child process ({@link Main}, this JVM's class path), configured by environment variables
 * like in production, with stdout and stderr captured line by line (for the secret-leak search) and the port read
 * from its "proxy listening on" log line.
 */
final class ChildProxy implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("proxy listening on [^ ]+:(\\d+)");

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private volatile int port = -1;

    private ChildProxy(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("child-proxy-output").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (port < 0 && m.find()) {
                        port = Integer.parseInt(m.group(1));
                    }
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
    }

    /**
     * Starts the proxy and waits until it listens.
     *
     * @param env     environment of the child (added to this process's)
     * @param jvmArgs extra JVM options (e.g. a trust store)
     * @return the running child
     */
    static ChildProxy start(Map<String, String> env, List<String> jvmArgs) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx192m", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        ChildProxy c = new ChildProxy(pb.start());
        Rig.await("the child proxy to listen (output so far: see below)", 60_000,
                () -> c.port > 0 || !c.process.isAlive());
        if (c.port < 0) {
            c.close();
            throw new AssertionError("the child proxy did not start: " + c.output());
        }
        return c;
    }

    int port() {
        return port;
    }

    /** @return the child's process id (for {@code jcmd}) */
    long pid() {
        return process.pid();
    }

    /**
     * The child's live heap: {@code jcmd GC.class_histogram} runs a full collection first and sums what survived,
     * whatever the collector, so garbage that merely passed through does not count.
     *
     * @return live heap bytes
     */
    long liveHeapBytes() {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(process.pid()), "GC.class_histogram").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("jcmd failed: " + out);
            }
            Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(out);
            if (!m.find()) {
                throw new AssertionError("no total in the class histogram: " + out.substring(0, Math.min(500, out.length())));
            }
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    String base() {
        return "http://127.0.0.1:" + port;
    }

    /** @return everything the child printed so far */
    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** Kills the child with SIGKILL (no shutdown hook runs) and waits for it to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** @return true while the child runs */
    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            Thread.sleep(100); // let the reader drain the last lines
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
