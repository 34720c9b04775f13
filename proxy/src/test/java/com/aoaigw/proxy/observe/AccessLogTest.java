package com.aoaigw.proxy.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.aoaigw.proxy.admin.LogBufferHandler;
import com.aoaigw.proxy.admin.LogBuffer;
import com.aoaigw.proxy.admin.LogEntry;
import com.aoaigw.proxy.admin.LogRedactor;
import com.aoaigw.proxy.translate.Usage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class AccessLogTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static ExchangeLog exchange(String path, String model) {
        ExchangeLog e = new ExchangeLog("req_1", System.nanoTime(), "POST", path);
        e.keyId("app");
        e.model(model);
        e.deployment("dep");
        e.upstream("up");
        e.route("chat/completions");
        e.status(200);
        e.usage(new Usage(7, 3, 2));
        e.stream(true);
        e.attempt(new ExchangeLog.Attempt(model, "up", "dep-ptu", 429, "rate_limited", 3));
        e.attempt(new ExchangeLog.Attempt(model, "up", "dep", 200, null, 9));
        return e;
    }

    @Test
    void theHandWrittenLineIsTheJsonOfTheFields() throws Exception {
        String tricky = "m\"o\\d\ne\r\t\u0001l\u2028é😀";
        ExchangeLog e = exchange("/v1/chat/completions", tricky);
        e.errorCode(null);
        AccessRecord r = new AccessRecord(e, 12);
        String line = AccessLog.line(e, 12, r.getInstant());
        assertFalse(line.contains("\n") || line.contains("\r") || line.contains("\u2028"), line);
        JsonNode parsed = MAPPER.readTree(line);
        ObjectNode fields = r.fields();
        assertEquals(MAPPER.readTree(fields.toString()), parsed, line);
        assertEquals(tricky, parsed.get("model").asText());
        assertEquals(List.of("ts", "requestId", "method", "path", "keyId", "model", "deployment", "upstream", "route",
                "status", "latencyMs", "ttftMs", "promptTokens", "completionTokens", "cachedTokens", "errorCode",
                "stream", "attempts", "clientAddress", "userAgent"), iterable(parsed));
        assertTrue(parsed.get("ttftMs").isNull());
        e.ttftMs(5);
        assertEquals(5, MAPPER.readTree(AccessLog.line(e, 12, Instant.now())).get("ttftMs").asInt());
    }

    @Test
    void logFormatJsonWritesEveryLineAsOneJsonObject() throws Exception {
        assertTrue(ConsoleLogHandler.json("json") && ConsoleLogHandler.json(" JSON "));
        assertFalse(ConsoleLogHandler.json(null) || ConsoleLogHandler.json("text") || ConsoleLogHandler.json(""));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleLogHandler h = new ConsoleLogHandler(new PrintStream(bytes, true, StandardCharsets.UTF_8), 64, true);
        java.util.logging.LogRecord plain = new java.util.logging.LogRecord(java.util.logging.Level.WARNING,
                "config {0}: \"quoted\"\nsecond line");
        plain.setParameters(new Object[] {"warning"});
        plain.setLoggerName("com.example.Thing");
        plain.setThrown(new IllegalStateException("boom"));
        h.publish(plain);
        ExchangeLog e = exchange("/v1/chat/completions", "gpt");
        e.client("203.0.113.7", "OpenAI/JS 6.0.0");
        AccessRecord access = new AccessRecord(e, 12);
        access.setMessage(AccessLog.line(e, 12, access.getInstant()));
        h.publish(access);
        h.close();
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(2, lines.size(), bytes.toString(StandardCharsets.UTF_8));
        JsonNode first = MAPPER.readTree(lines.get(0));
        assertEquals("WARNING", first.get("level").asText());
        assertEquals("com.example.Thing", first.get("logger").asText());
        assertEquals("config warning: \"quoted\"\nsecond line", first.get("message").asText());
        assertTrue(first.get("thrown").asText().startsWith("java.lang.IllegalStateException: boom"), lines.get(0));
        assertEquals(plain.getInstant().toString(), first.get("ts").asText());
        JsonNode second = MAPPER.readTree(lines.get(1));
        assertEquals("aoaigw.access", second.get("logger").asText());
        assertEquals("INFO", second.get("level").asText());
        assertEquals("req_1", second.get("requestId").asText());
        assertEquals("203.0.113.7", second.get("clientAddress").asText());
        assertEquals("OpenAI/JS 6.0.0", second.get("userAgent").asText());
        assertEquals(200, second.get("status").asInt());
    }

    private static List<String> iterable(JsonNode n) {
        List<String> names = new ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theConsoleHandlerWritesEveryLineInOrderAndDrainsOnClose() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleLogHandler h = new ConsoleLogHandler(new PrintStream(bytes, true, StandardCharsets.UTF_8), 64);
        int threads = 4;
        int each = 500;
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            ts.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; i < each; i++) {
                    LogRecord r = new LogRecord(Level.INFO, "t" + id + " n" + i);
                    r.setLoggerName("test");
                    h.publish(r);
                }
            }));
        }
        for (Thread t : ts) {
            t.join();
        }
        AccessRecord access = new AccessRecord(exchange("/v1/x", "m"), 1);
        access.setMessage("{\"a\":1}");
        h.publish(access);
        LogRecord failed = new LogRecord(Level.WARNING, "with {0}");
        failed.setParameters(new Object[] {"a parameter"});
        failed.setLoggerName("test");
        failed.setThrown(new IllegalStateException("boom"));
        h.publish(failed);
        h.close();
        LogRecord late = new LogRecord(Level.SEVERE, "after close");
        late.setLoggerName("test");
        h.publish(late);

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        Pattern shape = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO test t(\\d) n(\\d+)");
        int[] next = new int[threads];
        int matched = 0;
        for (String l : lines) {
            var m = shape.matcher(l);
            if (m.matches()) {
                int t = Integer.parseInt(m.group(1));
                assertEquals(next[t], Integer.parseInt(m.group(2)), "thread " + t + " lines in order");
                next[t]++;
                matched++;
            }
        }
        assertEquals(threads * each, matched, "no line lost with a queue of 64");
        String all = String.join("\n", lines);
        assertTrue(all.contains(" INFO aoaigw.access {\"a\":1}"), all.substring(Math.max(0, all.length() - 600)));
        assertTrue(all.contains(" WARNING test with a parameter\njava.lang.IllegalStateException: boom"), all);
        assertTrue(lines.getLast().endsWith(" SEVERE test after close"), lines.getLast());
    }

    @Test
    void theAdminBufferTakesTheFieldsWithoutParsingAndRedactsWhatClientsChose() throws Exception {
        LogBuffer buffer = new LogBuffer(10);
        LogBufferHandler handler = new LogBufferHandler(buffer, new LogRedactor(() -> List.of("sk-very-secret-value")));
        ExchangeLog e = exchange("/v1/chat/completions", "sk-very-secret-value");
        AccessRecord r = new AccessRecord(e, 3);
        r.setMessage(AccessLog.line(e, 3, r.getInstant()));
        handler.publish(r);
        LogEntry entry = buffer.query(new LogBuffer.Query(java.util.Set.of(), null, null, null, null, null, null, 0, 10))
                .items().getFirst();
        assertEquals("http.request", entry.event());
        assertEquals("aoaigw.access", entry.logger());
        assertEquals("req_1", entry.requestId());
        assertEquals("app", entry.key());
        assertEquals(200, entry.status());
        assertEquals(LogRedactor.REDACTED, entry.model());
        assertFalse(entry.message().contains("sk-very-secret-value"), entry.message());
        assertEquals(7, entry.fields().get("promptTokens").asInt());

        // a clean line: its fields are built when read, and they are the JSON line's
        ExchangeLog clean = exchange("/v1/embeddings", "text-embedding-3-small");
        AccessRecord cr = new AccessRecord(clean, 4);
        cr.setMessage(AccessLog.line(clean, 4, cr.getInstant()));
        handler.publish(cr);
        LogEntry cleanEntry = buffer.query(new LogBuffer.Query(java.util.Set.of(), "embeddings", null, null, null, null,
                null, 0, 10)).items().getFirst();
        assertEquals(cr.getMessage(), cleanEntry.message());
        assertEquals("text-embedding-3-small", cleanEntry.model());
        assertEquals(MAPPER.readTree(cr.getMessage()), MAPPER.readTree(cleanEntry.fields().toString()));
        String json = new ObjectMapper().registerModule(new com.fasterxml.jackson.databind.module.SimpleModule()
                .addSerializer(Instant.class, com.fasterxml.jackson.databind.ser.std.ToStringSerializer.instance))
                .writeValueAsString(cleanEntry);
        assertTrue(json.contains("\"fields\":{\"ts\""), "the admin API shows the fields: " + json);
        assertFalse(json.contains("lazy"), json);

        ExchangeLog adminRead = new ExchangeLog("req_2", System.nanoTime(), "GET", "/admin/api/logs");
        AccessRecord skipped = new AccessRecord(adminRead, 1);
        skipped.setMessage(AccessLog.line(adminRead, 1, skipped.getInstant()));
        handler.publish(skipped);
        assertEquals(2, buffer.query(new LogBuffer.Query(java.util.Set.of(), null, null, null, null, null, null, 0, 10))
                .total(), "the admin page's own polling is not kept");
    }
}
