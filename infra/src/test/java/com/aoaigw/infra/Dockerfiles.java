package com.aoaigw.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.fail;

/** A small Dockerfile reader: continuation lines joined, comments dropped, split into stages. */
final class Dockerfiles {
    private Dockerfiles() {
    }

    /**
     * One instruction.
     *
     * @param keyword upper-case instruction name
     * @param args    the rest of the line
     */
    record Instruction(String keyword, String args) {
    }

    /**
     * One build stage.
     *
     * @param image        the FROM image reference
     * @param alias        the AS name, or empty
     * @param instructions the stage's instructions after FROM
     */
    record Stage(String image, String alias, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }
    }

    static List<Instruction> instructions(String text) {
        List<Instruction> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (current.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
                continue;
            }
            if (!current.isEmpty() && trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            current.append(trimmed);
            String joined = current.toString().strip();
            current.setLength(0);
            int space = joined.indexOf(' ');
            out.add(space < 0
                    ? new Instruction(joined.toUpperCase(Locale.ROOT), "")
                    : new Instruction(joined.substring(0, space).toUpperCase(Locale.ROOT), joined.substring(space + 1).strip()));
        }
        return out;
    }

    static List<Stage> stages(String text) {
        List<Stage> stages = new ArrayList<>();
        for (Instruction i : instructions(text)) {
            if (i.keyword().equals("FROM")) {
                String[] parts = i.args().split("\\s+");
                String image = parts[0];
                String alias = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : "";
                if (image.startsWith("--platform")) {
                    fail("FROM --platform is not expected: " + i.args());
                }
                stages.add(new Stage(image, alias, new ArrayList<>()));
            } else if (stages.isEmpty()) {
                if (!i.keyword().equals("ARG")) {
                    fail("instruction before the first FROM: " + i);
                }
            } else {
                stages.getLast().instructions().add(i);
            }
        }
        return stages;
    }

    /**
     * The exec-form command of the final stage's HEALTHCHECK.
     *
     * @param text the Dockerfile
     * @return the command words
     */
    static List<String> healthcheckCommand(String text) {
        List<Instruction> checks = stages(text).getLast().all("HEALTHCHECK");
        if (checks.size() != 1) {
            return fail("expected exactly one HEALTHCHECK in the final stage, found " + checks.size());
        }
        String args = checks.getFirst().args();
        int cmd = args.indexOf("CMD [");
        if (cmd < 0) {
            return fail("HEALTHCHECK must use the exec form CMD [...]: " + args);
        }
        try {
            JsonNode words = Repo.JSON.readTree(args.substring(cmd + 4));
            List<String> out = new ArrayList<>();
            words.forEach(w -> out.add(w.asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
