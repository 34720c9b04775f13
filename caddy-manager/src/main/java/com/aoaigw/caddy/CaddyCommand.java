package com.aoaigw.caddy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How to invoke the Caddy binary: its path and the XDG directories it must use (so that its autosave and default
 * storage stay under {@code CADDY_DATA_DIR} instead of the user's home).
 *
 * @param binary        the Caddy binary ({@code CADDY_BIN}), a path or a name on the PATH
 * @param xdgConfigHome {@code XDG_CONFIG_HOME} for Caddy (its autosave lives in {@code caddy/autosave.json} there)
 * @param xdgDataHome   {@code XDG_DATA_HOME} for Caddy
 */
public record CaddyCommand(String binary, Path xdgConfigHome, Path xdgDataHome) {
    /**
     * @param caddyfile the Caddyfile to run
     * @return a builder for {@code caddy run --config F --adapter caddyfile}, stderr merged into stdout
     */
    public ProcessBuilder run(Path caddyfile) {
        ProcessBuilder pb = new ProcessBuilder(binary, "run", "--config", caddyfile.toString(), "--adapter", "caddyfile");
        environment(pb.environment());
        pb.redirectErrorStream(true);
        return pb;
    }

    /** @return where Caddy autosaves its running config */
    public Path autosave() {
        return xdgConfigHome.resolve("caddy").resolve("autosave.json");
    }

    /**
     * Runs {@code caddy adapt --config F --adapter caddyfile}: parses the Caddyfile and builds the JSON config
     * without starting anything.
     *
     * @param caddyfile the file to check
     * @param timeout   how long to wait for the command
     * @return the exit code and the combined output
     * @throws IOException when the binary cannot be started
     */
    public Outcome adapt(Path caddyfile, Duration timeout) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binary, "adapt", "--config", caddyfile.toString(), "--adapter",
                "caddyfile");
        environment(pb.environment());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            // the JSON output is small; reading it before waiting keeps the pipe from filling up
            String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Outcome(-1, "caddy adapt did not finish within " + timeout.toSeconds() + " s");
            }
            return new Outcome(p.exitValue(), out);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for caddy adapt", e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private void environment(Map<String, String> env) {
        env.put("XDG_CONFIG_HOME", xdgConfigHome.toString());
        env.put("XDG_DATA_HOME", xdgDataHome.toString());
    }

    /**
     * The end of a command.
     *
     * @param exitCode its exit code (-1 when it timed out)
     * @param output   stdout and stderr
     */
    public record Outcome(int exitCode, String output) {
        /** @return the lines of the output */
        public List<String> lines() {
            return output.lines().toList();
        }
    }
}
