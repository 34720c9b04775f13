package com.aoaigw.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden tests: each {@code invalid/<name>.json} is refused with exactly the problems in {@code <name>.expected}
 * (one {@link ConfigProblem#toString()} per line); each {@code warnings/<name>.json} loads with exactly those
 * warnings. Run with {@code -Dgolden.update=true} to rewrite the expected files after a deliberate change, then
 * review the diff.
 */
@Timeout(30)
class GoldenConfigTest {
    private static final Path ROOT = Path.of("src", "test", "resources");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Stream<String> invalid() throws IOException {
        return names("invalid");
    }

    static Stream<String> warnings() throws IOException {
        return names("warnings");
    }

    private static Stream<String> names(String dir) throws IOException {
        try (Stream<Path> files = Files.list(ROOT.resolve(dir))) {
            List<String> names = files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length()))
                    .sorted()
                    .toList();
            return names.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidConfigIsRefusedWithEveryProblem(String name) throws IOException {
        String json = Files.readString(ROOT.resolve("invalid").resolve(name + ".json"));
        ConfigException e = assertThrows(ConfigException.class, () -> loader().load(json));
        assertTrue(e.problems().stream().anyMatch(p -> p.severity() == ConfigProblem.Severity.ERROR));
        compare(ROOT.resolve("invalid").resolve(name + ".expected"), e.problems());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("warnings")
    void configLoadsWithExactlyTheseWarnings(String name) throws IOException {
        String json = Files.readString(ROOT.resolve("warnings").resolve(name + ".json"));
        LoadedConfig loaded = loader().load(json);
        compare(ROOT.resolve("warnings").resolve(name + ".expected"), loaded.warnings());
    }

    @Test
    void manyProblemsAreAllReportedAtOnce() throws IOException {
        String json = Files.readString(ROOT.resolve("invalid").resolve("many-problems.json"));
        ConfigException e = assertThrows(ConfigException.class, () -> loader().load(json));
        List<String> paths = e.problems().stream().map(ConfigProblem::path).toList();
        // one problem from each area of the document, found in the same pass
        for (String expected : List.of("extra", "server.upstream.pool.conections", "server.port", "server.adminPath",
                "server.caddy.domain", "server.upstream.maxRetries", "auth.scope", "apiKeys[0].id", "apiKeys[0].key",
                "upstreams[0].baseUrl", "models[0].upstream", "models[0].family")) {
            assertTrue(paths.contains(expected), () -> expected + " missing from " + paths);
        }
        assertTrue(e.getMessage().lines().count() >= 12, e::getMessage);
    }

    private static ConfigLoader loader() {
        return new ConfigLoader(name -> null);
    }

    private static void compare(Path expectedFile, List<ConfigProblem> problems) throws IOException {
        String actual = problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n", "", "\n"));
        if (problems.isEmpty()) {
            actual = "";
        }
        if (UPDATE) {
            Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
            return;
        }
        assertTrue(Files.exists(expectedFile), () -> "missing golden file " + expectedFile + "; actual:\n"
                + problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        assertEquals(Files.readString(expectedFile, StandardCharsets.UTF_8), actual);
    }
}
