package com.aoaigw.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The images' entry point, run with the real {@code sh} on temporary files. */
@Timeout(30)
class EntrypointTest {
    @TempDir
    Path tmp;

    private Repo.Run entrypoint(Map<String, String> vars, String... command) {
        Map<String, String> env = new HashMap<>();
        env.put("CONFIG_SEED", null);
        env.put("CONFIG_PATH", null);
        env.put("APP_JAR", null);
        env.put("JAVA_OPTS", null);
        env.putAll(vars);
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", Repo.path("infra/docker/entrypoint.sh").toString()));
        cmd.addAll(List.of(command));
        return Repo.run(tmp, env, cmd);
    }

    @Test
    void isExecutable() {
        assertTrue(Files.isExecutable(Repo.path("infra/docker/entrypoint.sh")), "the images run it directly");
    }

    @Test
    void seedsAMissingConfigOnceThenRunsTheCommand() throws IOException {
        Path seed = tmp.resolve("seed.json");
        Files.writeString(seed, "{\"seed\":1}");
        Path config = tmp.resolve("data/sub/config.json");
        Map<String, String> env = Map.of("CONFIG_SEED", seed.toString(), "CONFIG_PATH", config.toString());

        Repo.Run first = entrypoint(env, "cat", config.toString());
        assertEquals(0, first.exitCode(), first.all());
        assertTrue(first.stdout().contains("seeded " + config) && first.stdout().endsWith("{\"seed\":1}"), first.all());

        Files.writeString(config, "{\"edited\":true}");
        Repo.Run second = entrypoint(env, "cat", config.toString());
        assertEquals(0, second.exitCode(), second.all());
        assertEquals("{\"edited\":true}", second.stdout(), "an existing config is never overwritten");
        try (var files = Files.list(config.getParent())) {
            assertEquals(List.of(config), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void withoutSeedNothingIsWritten() {
        Path config = tmp.resolve("config.json");
        Repo.Run run = entrypoint(Map.of("CONFIG_PATH", config.toString()), "true");
        assertEquals(0, run.exitCode(), run.all());
        assertFalse(Files.exists(config));
    }

    @Test
    void anUnreadableSeedStopsTheStart() {
        Repo.Run run = entrypoint(Map.of("CONFIG_SEED", tmp.resolve("missing.json").toString(),
                "CONFIG_PATH", tmp.resolve("config.json").toString()), "true");
        assertEquals(64, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("is not a readable file"), run.all());
    }

    @Test
    void withoutACommandItNeedsAppJar() {
        Repo.Run run = entrypoint(Map.of());
        assertEquals(64, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("APP_JAR is not set"), run.all());
    }

    @Test
    void startsJavaWithTheJvmFlagsAndTheJar() throws IOException {
        // A stand-in `java` first on the PATH records how it was called.
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path fake = bin.resolve("java");
        Files.writeString(fake, "#!/bin/sh\necho \"java $*\"\n");
        assertTrue(fake.toFile().setExecutable(true));
        Repo.Run run = entrypoint(Map.of("PATH", bin + ":" + System.getenv("PATH"), "APP_JAR", "/app/x.jar",
                "JAVA_OPTS", "-Xmx64m -XX:+ExitOnOutOfMemoryError"));
        assertEquals(0, run.exitCode(), run.all());
        assertEquals("java -Xmx64m -XX:+ExitOnOutOfMemoryError -jar /app/x.jar", run.stdout().strip());
    }
}
