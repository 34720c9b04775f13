package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs the Playwright script {@code admin-e2e/admin-page.mjs} with {@code node}, using playwright-core from
 * {@code <tools.dir>/node_modules} and Debian's Chromium. Missing tools fail the test with a clear message.
 */
public final class BrowserDriver {
    /** Debian's Chromium. */
    public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final ObjectMapper JSON = new ObjectMapper();

    private BrowserDriver() {
    }

    /** @return the directory holding node_modules with playwright-core (fails the test when it is missing) */
    public static Path toolsDir() {
        String prop = System.getProperty("tools.dir");
        Path dir = prop != null && !prop.isBlank() ? Path.of(prop) : repoRoot().resolve("tools");
        if (!Files.isDirectory(dir.resolve("node_modules/playwright-core"))) {
            fail("playwright-core is missing in " + dir.resolve("node_modules") + "; run scripts/install-tools.sh");
        }
        if (!Files.isExecutable(CHROMIUM)) {
            fail("Chromium is missing at " + CHROMIUM + "; run scripts/install-tools.sh (Debian package chromium)");
        }
        return dir;
    }

    private static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("scripts/install-tools.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            fail("cannot find the repository root from " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    /**
     * The script's output and exit code.
     *
     * @param exitCode the script's exit code
     * @param result   the JSON it printed last
     * @param stderr   what it printed on stderr
     */
    public record Run(int exitCode, JsonNode result, String stderr) {
    }

    static Run run(Map<String, Object> options, long timeoutSeconds) throws IOException, InterruptedException {
        return run("admin-page.mjs", options, timeoutSeconds);
    }

    /**
     * Runs one of the scripts under {@code admin-e2e/}.
     *
     * @param name           the script's file name
     * @param options        its options (JSON)
     * @param timeoutSeconds how long it may take
     * @return what it printed
     * @throws IOException          when node cannot be started
     * @throws InterruptedException when interrupted
     */
    public static Run run(String name, Map<String, Object> options, long timeoutSeconds)
            throws IOException, InterruptedException {
        Path script;
        try {
            script = Path.of(BrowserDriver.class.getResource("/admin-e2e/" + name).toURI());
        } catch (java.net.URISyntaxException | NullPointerException e) {
            throw new IllegalStateException(name + " not on the test classpath", e);
        }
        Path stderr = Files.createTempFile("admin-e2e", ".err");
        Process p = new ProcessBuilder(List.of("node", script.toString(), JSON.writeValueAsString(options)))
                .redirectError(stderr.toFile())
                .start();
        String out;
        try (var in = p.getInputStream()) {
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail("the browser script did not finish in " + timeoutSeconds + " s");
            }
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        String err = Files.readString(stderr);
        Files.deleteIfExists(stderr);
        String last = out.isEmpty() ? "" : out.substring(out.lastIndexOf('\n') + 1);
        JsonNode result;
        try {
            result = JSON.readTree(last);
        } catch (IOException e) {
            throw new AssertionError("the browser script printed no JSON result; stdout: " + out + "\nstderr: " + err);
        }
        return new Run(p.exitValue(), result, err);
    }
}
