package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed golden file: header lines ({@code key: value}, {@code #} comments), a blank line, the input, the line
 * {@code === expected ===}, and the expected output.
 *
 * @param headers  the header values
 * @param input    the input section
 * @param expected the expected section
 */
record GoldenFile(Map<String, String> headers, String input, String expected) {
    static final String SEPARATOR = "=== expected ===";

    static GoldenFile parse(String text) {
        String[] halves = text.split("\n" + SEPARATOR + "\n", 2);
        if (halves.length != 2) {
            throw new IllegalArgumentException("missing separator line " + SEPARATOR);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        String[] lines = halves[0].split("\n", -1);
        int i = 0;
        for (; i < lines.length && !lines[i].isBlank(); i++) {
            if (lines[i].startsWith("#")) {
                continue;
            }
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
        }
        String input = String.join("\n", Arrays.copyOfRange(lines, Math.min(i + 1, lines.length), lines.length));
        return new GoldenFile(headers, input.strip(), halves[1].strip());
    }

    /** Loads {@code translate/<name>} from the test class path. */
    static GoldenFile load(String name) throws IOException {
        try (InputStream in = GoldenFile.class.getClassLoader().getResourceAsStream("translate/" + name)) {
            if (in == null) {
                throw new IOException("no golden file translate/" + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    String header(String key, String fallback) {
        return headers.getOrDefault(key, fallback);
    }

    /** Parses an SSE transcript into whole events (blank-line separated; {@code event:} and {@code data:} lines). */
    static List<SseEvent> parseSse(String text) {
        List<SseEvent> events = new ArrayList<>();
        String event = null;
        StringBuilder data = null;
        for (String line : (text + "\n\n").split("\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    events.add(SseEvent.of(event, data.toString()));
                }
                event = null;
                data = null;
            } else if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                String value = line.substring(5);
                value = value.startsWith(" ") ? value.substring(1) : value;
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return events;
    }
}
