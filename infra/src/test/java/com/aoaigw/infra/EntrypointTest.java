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
        for (String v : List.of("CONFIG_SEED_JSON", "SECRETS_FILE", "SECRETS_GENERATE", "SECRETS_PRINT", "SECRETS_WAIT",
                "DEMO_CLIENT_KEY", "SIM_API_KEYS")) {
            env.put(v, null);
        }
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

    @Test
    void seedsTheConfigFromInlineJsonWithMode600() throws IOException {
        Path config = tmp.resolve("data/config.json");
        String doc = "{\"server\": {\"caddy\": {\"enabled\": true, \"domain\": \"a b.example\"}}}";
        Map<String, String> env = Map.of("CONFIG_SEED_JSON", doc, "CONFIG_PATH", config.toString());
        Repo.Run first = entrypoint(env, "cat", config.toString());
        assertEquals(0, first.exitCode(), first.all());
        assertTrue(first.stdout().contains("seeded " + config + " from CONFIG_SEED_JSON"), first.all());
        assertEquals(doc + "\n", Files.readString(config));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(config)));
        Files.writeString(config, "{\"edited\":true}");
        assertEquals(0, entrypoint(env, "true").exitCode());
        assertEquals("{\"edited\":true}", Files.readString(config), "an existing config is never overwritten");
    }

    @Test
    void generatesTheDemoSecretsOncePrintsOnlyTheListedOneAndExportsThem() throws IOException {
        Path file = tmp.resolve("data/demo-secrets.env");
        Map<String, String> proxy = Map.of("SECRETS_FILE", file.toString(),
                "SECRETS_GENERATE", "DEMO_CLIENT_KEY SIM_API_KEYS", "SECRETS_PRINT", "DEMO_CLIENT_KEY");
        Repo.Run first = entrypoint(proxy, "sh", "-c", "echo \"seen $DEMO_CLIENT_KEY $SIM_API_KEYS\"");
        assertEquals(0, first.exitCode(), first.all());
        Map<String, String> stored = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file)) {
            String[] kv = line.split("=", 2);
            stored.put(kv[0], kv[1]);
        }
        String key = stored.get("DEMO_CLIENT_KEY");
        String simKey = stored.get("SIM_API_KEYS");
        assertTrue(key.matches("[A-Za-z0-9]{40}") && simKey.matches("[A-Za-z0-9]{40}") && !key.equals(simKey), stored.toString());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(first.stdout().contains("generated DEMO_CLIENT_KEY=" + key), first.all());
        assertFalse(first.all().contains("generated SIM_API_KEYS=") || first.stdout().replace("seen " + key + " " + simKey, "")
                .contains(simKey), "the simulator's key is not printed: " + first.all());
        assertTrue(first.stdout().contains("seen " + key + " " + simKey), first.all());

        Repo.Run second = entrypoint(proxy, "sh", "-c", "echo \"seen $DEMO_CLIENT_KEY $SIM_API_KEYS\"");
        assertEquals(0, second.exitCode(), second.all());
        assertFalse(second.stdout().contains("generated"), "printed once only: " + second.all());
        assertTrue(second.stdout().contains("seen " + key + " " + simKey), second.all());

        // The simulator's container waits for the file and gets the same key; a value from .env wins.
        Repo.Run sim = entrypoint(Map.of("SECRETS_FILE", file.toString(), "SECRETS_WAIT", "SIM_API_KEYS"),
                "sh", "-c", "echo \"sim $SIM_API_KEYS\"");
        assertEquals("sim " + simKey, sim.stdout().strip(), sim.all());
        Repo.Run given = entrypoint(Map.of("SECRETS_FILE", file.toString(), "SECRETS_WAIT", "SIM_API_KEYS",
                "SIM_API_KEYS", "from-env"), "sh", "-c", "echo \"sim $SIM_API_KEYS\"");
        assertEquals("sim from-env", given.stdout().strip(), given.all());
    }

    @Test
    void aSecretSetInTheEnvironmentIsNeitherGeneratedNorStored() throws IOException {
        Path file = tmp.resolve("demo-secrets.env");
        Repo.Run run = entrypoint(Map.of("SECRETS_FILE", file.toString(), "SECRETS_GENERATE", "DEMO_CLIENT_KEY SIM_API_KEYS",
                "SECRETS_PRINT", "DEMO_CLIENT_KEY", "DEMO_CLIENT_KEY", "mine"), "sh", "-c", "echo \"seen $DEMO_CLIENT_KEY\"");
        assertEquals(0, run.exitCode(), run.all());
        assertTrue(run.stdout().contains("seen mine"), run.all());
        assertFalse(Files.readString(file).contains("DEMO_CLIENT_KEY"), Files.readString(file));
    }

    @Test
    void aBadSecretNameStopsTheStart() {
        Repo.Run run = entrypoint(Map.of("SECRETS_FILE", tmp.resolve("s.env").toString(), "SECRETS_GENERATE", "X;rm"),
                "true");
        assertEquals(64, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("is not a variable name"), run.all());
    }
}
