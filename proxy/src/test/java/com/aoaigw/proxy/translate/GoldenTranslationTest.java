package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Golden tests: one per file under {@code src/test/resources/translate/}. A file has header lines
 * ({@code key: value}), a blank line, the input, a separator line {@code === expected ===}, and the expected
 * output. Kinds:
 * <ul>
 * <li>{@code request}: input = client body; output = upstream body, or {@code {"status":400,"error":{...}}}</li>
 * <li>{@code response}: input = upstream non-streaming body; output = client body (or an error)</li>
 * <li>{@code stream}: input = upstream SSE transcript; output = client SSE transcript, compared event by event
 * (names exactly, data as JSON). Header {@code usage: prompt completion cached reasoning} checks the usage the
 * translator reports.</li>
 * </ul>
 * Headers: {@code client}, {@code backend} (route keys), {@code family}, {@code disabled} (comma list),
 * {@code request} (the client body, one line, for response and stream kinds). Ids and clocks are deterministic.
 * Run with {@code -Dgolden.print=true} to print actual outputs.
 */
class GoldenTranslationTest {
    private static final long NOW = 1_700_000_000L;
    private final ObjectMapper mapper = new ObjectMapper();

    static Stream<String> cases() throws IOException, URISyntaxException {
        URL root = GoldenTranslationTest.class.getClassLoader().getResource("translate");
        if (root == null) {
            throw new IllegalStateException("src/test/resources/translate is missing");
        }
        try (Stream<Path> files = Files.list(Path.of(root.toURI()))) {
            return files.map(path -> path.getFileName().toString()).filter(name -> name.endsWith(".txt")).sorted()
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @Timeout(10)
    void golden(String name) throws Exception {
        Path file = Path.of(GoldenTranslationTest.class.getClassLoader().getResource("translate/" + name).toURI());
        GoldenFile golden = GoldenFile.parse(Files.readString(file, StandardCharsets.UTF_8));
        ApiTranslator translator = new ApiTranslator(mapper, IdSource.counting(),
                InstantSource.fixed(Instant.ofEpochSecond(NOW)));
        ApiKind client = ApiKind.fromRouteKey(golden.header("client", "chat/completions"));
        ApiKind backend = ApiKind.fromRouteKey(golden.header("backend", golden.header("client", "chat/completions")));
        ModelFamily family = ModelFamily.fromConfigName(golden.header("family", "other")).orElseThrow();
        Set<String> disabled = Arrays.stream(golden.header("disabled", "").split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        String kind = golden.header("kind", "request");
        switch (kind) {
            case "request" -> {
                JsonNode actual;
                try {
                    actual = translator.prepare(client, backend, family, disabled,
                            (ObjectNode) mapper.readTree(golden.input())).upstreamBody();
                } catch (TranslationException e) {
                    actual = error(e);
                }
                compareJson(name, golden.expected(), actual);
            }
            case "response" -> {
                ApiTranslator.Exchange exchange = translator.prepare(client, backend, family, disabled,
                        (ObjectNode) mapper.readTree(golden.header("request", "{}")));
                JsonNode actual;
                try {
                    actual = exchange.translateBody(mapper.readTree(golden.input()));
                } catch (TranslationException e) {
                    actual = error(e);
                }
                compareJson(name, golden.expected(), actual);
            }
            case "stream" -> {
                ApiTranslator.Exchange exchange = translator.prepare(client, backend, family, disabled,
                        (ObjectNode) mapper.readTree(golden.header("request", "{}")));
                StreamTranslator stream = exchange.streamTranslator().orElseThrow();
                List<SseEvent> actual = new ArrayList<>();
                for (SseEvent event : GoldenFile.parseSse(golden.input())) {
                    actual.addAll(stream.onEvent(event));
                }
                actual.addAll(stream.finish());
                compareStream(name, golden.expected(), actual);
                checkStreamInvariants(name, client, actual);
                assertTrue(stream.done(), "translator must be done after finish()");
                String usage = golden.header("usage", null);
                if (usage != null) {
                    long[] n = Arrays.stream(usage.strip().split("\\s+")).mapToLong(Long::parseLong).toArray();
                    assertEquals(new Usage(n[0], n[1], n[2], n[3]), stream.usage().orElseThrow(),
                            name + ": usage");
                }
            }
            default -> fail("unknown kind " + kind);
        }
    }

    private JsonNode error(TranslationException e) {
        ObjectNode body = e.toErrorBody();
        ObjectNode out = mapper.createObjectNode();
        out.put("status", e.status());
        out.set("error", body.get("error"));
        return out;
    }

    private void compareJson(String name, String expectedText, JsonNode actual) throws IOException {
        print(name, mapper.writerWithDefaultPrettyPrinter().writeValueAsString(actual));
        JsonNode expected = mapper.readTree(expectedText);
        if (!expected.equals(NUMERIC, actual)) {
            assertEquals(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(expected),
                    mapper.writerWithDefaultPrettyPrinter().writeValueAsString(actual), name);
        }
    }

    private void compareStream(String name, String expectedText, List<SseEvent> actual) throws IOException {
        print(name, actual.stream().map(SseEvent::toString).collect(Collectors.joining()));
        List<SseEvent> expected = GoldenFile.parseSse(expectedText);
        String expectedWire = expected.stream().map(SseEvent::toString).collect(Collectors.joining());
        String actualWire = actual.stream().map(SseEvent::toString).collect(Collectors.joining());
        assertEquals(expected.size(), actual.size(), name + ": event count\n" + actualWire);
        for (int i = 0; i < expected.size(); i++) {
            SseEvent want = expected.get(i);
            SseEvent got = actual.get(i);
            assertEquals(want.event(), got.event(), name + ": event name #" + i);
            if (want.data().startsWith("{")) {
                JsonNode wantJson = mapper.readTree(want.data());
                JsonNode gotJson = mapper.readTree(got.data());
                if (!wantJson.equals(NUMERIC, gotJson)) {
                    assertEquals(want.data(), got.data(), name + ": event #" + i);
                }
            } else {
                assertEquals(want.data(), got.data(), name + ": event #" + i);
            }
        }
        assertEquals(expectedWire.isEmpty(), actualWire.isEmpty());
    }

    /** Protocol invariants every translated stream must keep, whatever the golden file says. */
    private void checkStreamInvariants(String name, ApiKind client, List<SseEvent> events) throws IOException {
        if (client == ApiKind.CHAT_COMPLETIONS) {
            long done = events.stream().filter(SseEvent.DONE::equals).count();
            assertEquals(1, done, name + ": exactly one [DONE]");
            assertEquals(SseEvent.DONE, events.getLast(), name + ": [DONE] is last");
            int finishes = 0;
            for (SseEvent event : events) {
                assertEquals(null, event.event(), name + ": chat events are unnamed");
                if (!SseEvent.DONE.equals(event)) {
                    JsonNode chunk = mapper.readTree(event.data());
                    for (JsonNode choice : chunk.path("choices")) {
                        finishes += choice.path("finish_reason").isTextual() ? 1 : 0;
                    }
                }
            }
            assertTrue(finishes <= 1, name + ": at most one finish chunk");
            if (!events.isEmpty() && !events.getFirst().data().contains("\"error\"")) {
                assertEquals("assistant", mapper.readTree(events.getFirst().data()).path("choices").path(0)
                        .path("delta").path("role").asText(), name + ": role chunk first");
            }
        } else {
            for (int i = 0; i < events.size(); i++) {
                JsonNode payload = mapper.readTree(events.get(i).data());
                assertEquals(payload.path("type").asText(), events.get(i).event(), name + ": event line = type");
                assertEquals(i, payload.path("sequence_number").asInt(-1), name + ": sequence_number");
            }
            long terminal = events.stream().filter(e -> Set.of("response.completed", "response.incomplete",
                    "response.failed", "error").contains(e.event())).count();
            assertEquals(1, terminal, name + ": exactly one terminal event");
        }
    }

    private static void print(String name, String actual) {
        if (Boolean.getBoolean("golden.print")) {
            System.out.println("##### " + name + "\n" + actual);
        }
    }

    /** Compares numbers by value (an int and a long of the same value are equal). */
    private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return 1;
    };
}
