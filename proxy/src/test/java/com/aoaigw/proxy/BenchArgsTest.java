package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The argument handling of {@code scripts/bench.sh} ({@code make bench COMPARE=PATH}): {@code --compare PATH} finds
 * the Node original's entry point or refuses with exit status 2 before anything starts. Run with
 * {@code BENCH_CHECK_ARGS=1}, which prints the command the original would be started with and stops there.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchArgsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    private record Result(int code, String out) {
    }

    private static Result bench(String compareCmd, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("scripts/bench.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("BENCH_CHECK_ARGS", "1");
        pb.environment().remove("BENCH_COMPARE_CMD");
        if (compareCmd != null) {
            pb.environment().put("BENCH_COMPARE_CMD", compareCmd);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), out);
        return new Result(p.exitValue(), out);
    }

    @Test
    void withoutArgumentsNothingIsCompared() throws Exception {
        Result r = bench(null);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("compare: none"), r.out());
    }

    @Test
    void mistakesAreRefusedWithStatusTwo() throws Exception {
        Result missing = bench(null, "--compare");
        assertEquals(2, missing.code(), missing.out());
        assertTrue(missing.out().contains("--compare needs the path"), missing.out());

        Result empty = bench(null, "--compare=");
        assertEquals(2, empty.code(), empty.out());

        Result absent = bench(null, "--compare", dir.resolve("nowhere").toString());
        assertEquals(2, absent.code(), absent.out());
        assertTrue(absent.out().contains("no such directory"), absent.out());

        Result unknown = bench(null, "--fast");
        assertEquals(2, unknown.code(), unknown.out());
        assertTrue(unknown.out().contains("unknown argument: --fast") && unknown.out().contains("usage:"), unknown.out());

        Result noEntry = bench(null, "--compare", dir.toString());
        assertEquals(2, noEntry.code(), noEntry.out());
        assertTrue(noEntry.out().contains("no entry point"), noEntry.out());
    }

    @Test
    void entryPointFromPackageJson() throws Exception {
        Files.writeString(dir.resolve("package.json"), "{\"name\":\"aoai-proxy\",\"main\":\"lib/main.js\"}");
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib/main.js"), "");
        Result r = bench(null, "--compare", dir.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("compare: node " + dir.toRealPath() + "/lib/main.js"), r.out());
    }

    @Test
    void entryPointFromStartScriptAndEqualsForm() throws Exception {
        Files.writeString(dir.resolve("package.json"), "{\"scripts\":{\"start\":\"NODE_ENV=production node src/server.js\"}}");
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("src/server.js"), "");
        Result r = bench(null, "--compare=" + dir);
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("compare: node " + dir.toRealPath() + "/src/server.js"), r.out());
    }

    @Test
    void explicitCommandWins() throws Exception {
        Result r = bench("node /opt/original/app.js --config {config} --port {port}", "--compare", dir.toString());
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("compare: node /opt/original/app.js --config {config} --port {port}"), r.out());
    }

    /**
     * The load client and the in-process benches run as source programs (no build step), so nothing else compiles
     * them: a change of a proxy signature they use (PromptEstimator.estimate once) broke {@code make bench} unseen.
     */
    @Test
    void benchSourcesCompileAgainstTheProxy() throws Exception {
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        List<String> args = new ArrayList<>(List.of("-proc:none", "-d", dir.toString(), "-cp",
                System.getProperty("java.class.path")));
        try (var files = Files.list(ROOT.resolve("scripts/bench"))) {
            files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> args.add(f.toString()));
        }
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        int rc = javac.run(null, null, err, args.toArray(String[]::new));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpExplainsTheMakeForm() throws Exception {
        Result r = bench(null, "--help");
        assertEquals(0, r.code(), r.out());
        assertTrue(r.out().contains("make bench [COMPARE=PATH]"), r.out());
    }
}
