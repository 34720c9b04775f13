package com.aoaigw.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@link WatchMain} in a real child JVM (java from {@code java.home}, this JVM's class path). */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    ChildJvm(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx128m", WatchMain.class.getName()));
        cmd.addAll(List.of(args));
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
    }

    /**
     * Waits for a line.
     *
     * @param expected the line
     * @param timeoutMs how long
     */
    void await(String expected, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!seen.contains(expected)) {
            long left = deadline - System.currentTimeMillis();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("child did not print '" + expected + "' within " + timeoutMs + " ms; output: "
                        + seen);
            }
            seen.add(line);
        }
    }

    /**
     * Waits for a line starting with a prefix.
     *
     * @param prefix    the start of the line
     * @param timeoutMs how long
     * @return the line
     */
    String awaitPrefix(String prefix, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (true) {
            for (String s : seen) {
                if (s.startsWith(prefix)) {
                    return s;
                }
            }
            long left = deadline - System.currentTimeMillis();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.MILLISECONDS);
            if (line == null) {
                throw new AssertionError("child did not print '" + prefix + "...' within " + timeoutMs + " ms; output: "
                        + seen);
            }
            seen.add(line);
        }
    }

    /** @return every line so far */
    List<String> output() {
        lines.drainTo(seen);
        return List.copyOf(seen);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.getOutputStream().close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
