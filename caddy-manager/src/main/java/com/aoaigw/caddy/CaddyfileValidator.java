package com.aoaigw.caddy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Checks a rendered Caddyfile with the real {@code caddy adapt} before it is loaded, so a Caddyfile that Caddy
 * cannot parse never reaches its admin API (where a refused config can still move the admin listener).
 */
public final class CaddyfileValidator {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final CaddyCommand command;
    private final Path scratch;

    /**
     * @param command the Caddy binary and environment
     * @param scratch the file the candidate is written to for checking
     */
    public CaddyfileValidator(CaddyCommand command, Path scratch) {
        this.command = command;
        this.scratch = scratch;
    }

    /**
     * @param caddyfile the candidate text
     * @return why Caddy refuses it, or empty when it adapts cleanly
     */
    public Optional<String> problem(String caddyfile) {
        try {
            Files.createDirectories(scratch.toAbsolutePath().getParent());
            Files.writeString(scratch, caddyfile);
            CaddyCommand.Outcome outcome = command.adapt(scratch, TIMEOUT);
            if (outcome.exitCode() == 0) {
                return Optional.empty();
            }
            return Optional.of(errorLine(outcome));
        } catch (IOException e) {
            return Optional.of("cannot run '" + command.binary() + " adapt': " + e.getMessage());
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // a leftover scratch file is harmless: nothing starts Caddy from it
            }
        }
    }

    /** Caddy prints its reason as a final "Error: ..." line; anything else is kept whole but short. */
    private static String errorLine(CaddyCommand.Outcome outcome) {
        return outcome.lines().stream()
                .filter(l -> l.startsWith("Error: "))
                .reduce((a, b) -> b)
                .map(l -> "caddy adapt refused the Caddyfile: " + l.substring("Error: ".length()))
                .orElseGet(() -> "caddy adapt failed (exit " + outcome.exitCode() + "): "
                        + CaddyLogTracker.shorten(outcome.output().strip(), 500));
    }
}
