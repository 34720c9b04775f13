package com.aoaigw.caddy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.caddy.RenderOptions;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One golden file under {@code src/test/resources/golden/}: the input JSON ({@code {"caddy": <server.caddy>,
 * "options": <RenderOptions>}}), the separator line, then the expected Caddyfile ({@value #NO_FILE} when nothing is
 * rendered).
 *
 * @param name     the file name without extension
 * @param caddy    the input block
 * @param options  the render options
 * @param expected the expected Caddyfile, or empty when none is rendered
 */
record GoldenCase(String name, CaddySettings caddy, RenderOptions options, Optional<String> expected) {
    static final String SEPARATOR = "----- Caddyfile -----";
    static final String NO_FILE = "(no Caddyfile)";
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static List<GoldenCase> all() {
        Path dir = Path.of("src", "test", "resources", "golden");
        try (Stream<Path> files = Files.list(dir)) {
            List<GoldenCase> cases = files.filter(p -> p.toString().endsWith(".txt")).sorted().map(GoldenCase::read)
                    .toList();
            if (cases.size() < 7) {
                throw new IllegalStateException("expected at least 7 golden files in " + dir + ", found " + cases.size());
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GoldenCase read(Path file) {
        try {
            String text = Files.readString(file);
            int at = text.indexOf("\n" + SEPARATOR + "\n");
            if (at < 0) {
                throw new IllegalStateException(file + " has no separator line '" + SEPARATOR + "'");
            }
            JsonNode input = MAPPER.readTree(text.substring(0, at));
            String expected = text.substring(at + SEPARATOR.length() + 2);
            CaddySettings caddy = MAPPER.treeToValue(input.path("caddy"), CaddySettings.class);
            RenderOptions options = MAPPER.treeToValue(input.path("options"), RenderOptions.class);
            String name = file.getFileName().toString().replaceFirst("\\.txt$", "");
            return new GoldenCase(name, caddy, options,
                    expected.strip().equals(NO_FILE) ? Optional.empty() : Optional.of(expected));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
