package com.aoaigw.caddy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every golden Caddyfile is accepted by the real {@code caddy adapt}, without the "not formatted" warning. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class GoldenAdaptIT {
    static List<GoldenCase> goldens() {
        return GoldenCase.all().stream().filter(g -> g.expected().isPresent()).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void caddyAdaptsTheGolden(GoldenCase golden) throws Exception {
        String bin = CaddyTestSupport.caddyBin();
        Path dir = Files.createTempDirectory("caddy-golden");
        try {
            Path file = dir.resolve("Caddyfile");
            Files.writeString(file, golden.expected().orElseThrow());
            CaddyCommand command = new CaddyCommand(bin, dir.resolve("config"), dir.resolve("data"));
            CaddyCommand.Outcome outcome = command.adapt(file, Duration.ofSeconds(15));
            assertEquals(0, outcome.exitCode(), golden.name() + ": " + outcome.output());
            assertFalse(outcome.output().contains("not formatted"), golden.name() + ": " + outcome.output());
        } finally {
            CaddyTestSupport.deleteTree(dir);
        }
    }
}
