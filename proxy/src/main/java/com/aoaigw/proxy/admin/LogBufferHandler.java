package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.Objects;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

import com.aoaigw.proxy.observe.AccessLog;
import com.aoaigw.proxy.observe.AccessRecord;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A {@code java.util.logging} handler that feeds the admin {@link LogBuffer}. Installed on the root logger, it sees
 * every System.Logger line of the process. A message that is a JSON object (the access log on
 * {@code aoaigw.access}, and structured events) is parsed into fields; every entry is redacted before it is stored.
 */
public final class LogBufferHandler extends Handler {
    /** The logger of the JSON access-log lines. */
    public static final String ACCESS_LOGGER = AccessLog.LOGGER;
    private static final int MAX_MESSAGE = 4000;

    private final LogBuffer buffer;
    private final LogRedactor redactor;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SimpleFormatter formatter = new SimpleFormatter();

    /**
     * @param buffer   where entries go
     * @param redactor scrubs secrets
     */
    public LogBufferHandler(LogBuffer buffer, LogRedactor redactor) {
        this.buffer = buffer;
        this.redactor = redactor;
        setLevel(Level.ALL);
    }

    /**
     * Adds this handler to the root logger.
     *
     * @return this handler (remove it with {@link #uninstall()})
     */
    public LogBufferHandler install() {
        java.util.logging.Logger.getLogger("").addHandler(this);
        return this;
    }

    /** Removes this handler from the root logger. */
    public void uninstall() {
        java.util.logging.Logger.getLogger("").removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || !isLoggable(record)) {
            return;
        }
        try {
            LogEntry e = toEntry(record);
            if (e != null) {
                buffer.add(e);
            }
        } catch (RuntimeException e) {
            reportError("cannot buffer a log record", e, java.util.logging.ErrorManager.WRITE_FAILURE);
        }
    }

    /** @return the entry for a record, or null when the record is not kept */
    LogEntry toEntry(LogRecord record) {
        if (record instanceof AccessRecord access) {
            return accessEntry(access);
        }
        String message = formatter.formatMessage(record);
        if (record.getThrown() != null) {
            Throwable t = record.getThrown();
            message = message + " (" + t.getClass().getName() + ": " + t.getMessage() + ")";
        }
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        Instant ts = record.getInstant();
        String level = level(record.getLevel());
        JsonNode fields = null;
        String trimmed = message == null ? "" : message.trim();
        if (trimmed.startsWith("{") && trimmed.endsWith("}")) {
            try {
                JsonNode parsed = mapper.readTree(trimmed);
                if (parsed instanceof ObjectNode) {
                    fields = redactor.json(parsed);
                }
            } catch (java.io.IOException ignored) {
                // not JSON after all: kept as text
            }
        }
        if (fields != null && ACCESS_LOGGER.equals(logger) && ownRead(fields)) {
            return null;
        }
        String text = fields != null ? fields.toString() : redactor.text(message);
        if (text != null && text.length() > MAX_MESSAGE) {
            text = text.substring(0, MAX_MESSAGE) + "...<truncated>";
        }
        String event = str(fields, "event");
        if (event == null && ACCESS_LOGGER.equals(logger)) {
            event = "http.request";
        }
        return new LogEntry(0, ts, level, logger, event, text,
                first(fields, "requestId", "request_id"), first(fields, "model", "modelId"),
                first(fields, "keyId", "clientKey"), status(fields), fields);
    }

    /**
     * An access-log line: nothing is parsed, and the entry keeps only the finished exchange (its text and fields are
     * built again when the admin API reads the entry): the ring holds the last requests for a while, so what each
     * entry holds is what every young collection copies. Only the values a client chose (the request id, the path,
     * the model) can carry a secret, so only they go through the redactor; the rest comes from the config or from the
     * proxy itself. A line where the redactor changed something gets its fields and text at once.
     */
    private LogEntry accessEntry(AccessRecord r) {
        ExchangeLog x = r.exchange();
        if ("GET".equals(x.method()) && x.path() != null
                && (x.path().equals("/admin") || x.path().startsWith("/admin/"))) {
            return null;
        }
        String requestId = redactor.text(x.requestId());
        String path = redactor.text(x.path());
        String model = redactor.text(x.model());
        if (Objects.equals(requestId, x.requestId()) && Objects.equals(path, x.path())
                && Objects.equals(model, x.model())) {
            return new LogEntry(0, r.getInstant(), "info", ACCESS_LOGGER, "http.request", null,
                    x.requestId(), x.model(), x.keyId(), x.status(), null,
                    new AccessParts(x, r.latencyMs(), r.getInstant()));
        }
        ObjectNode fields = r.fields();
        fields.put("requestId", requestId);
        fields.put("path", path);
        fields.put("model", model);
        // each attempt names its model (the requested one, or a fallback)
        fields.set("attempts", redactor.json(fields.get("attempts")));
        return new LogEntry(0, r.getInstant(), "info", ACCESS_LOGGER, "http.request", truncate(fields.toString()),
                requestId, model, x.keyId(), x.status(), fields);
    }

    /** The parts of an access entry, rebuilt from the exchange when read. */
    private record AccessParts(ExchangeLog exchange, long latencyMs, Instant ts) implements LogEntry.Lazy {
        @Override
        public String message() {
            return truncate(AccessLog.line(exchange, latencyMs, ts));
        }

        @Override
        public JsonNode fields() {
            return AccessRecord.fields(exchange, latencyMs, ts);
        }
    }

    private static String truncate(String text) {
        return text != null && text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "...<truncated>" : text;
    }

    /** The admin page's own reads (it polls the log view) would drown everything else; its writes are kept. */
    private static boolean ownRead(JsonNode fields) {
        String path = str(fields, "path");
        String method = str(fields, "method");
        return path != null && (path.equals("/admin") || path.startsWith("/admin/")) && "GET".equals(method);
    }

    private static String level(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "error";
        }
        if (v >= Level.WARNING.intValue()) {
            return "warn";
        }
        if (v >= Level.INFO.intValue()) {
            return "info";
        }
        if (v >= Level.FINE.intValue()) {
            return "debug";
        }
        return "trace";
    }

    private static String first(JsonNode fields, String a, String b) {
        String v = str(fields, a);
        return v != null ? v : str(fields, b);
    }

    private static String str(JsonNode fields, String name) {
        if (fields == null) {
            return null;
        }
        JsonNode v = fields.get(name);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    private static Integer status(JsonNode fields) {
        if (fields == null) {
            return null;
        }
        JsonNode v = fields.get("status");
        return v != null && v.canConvertToInt() ? v.asInt() : null;
    }

    @Override
    public void flush() {
        // entries are in memory at once
    }

    @Override
    public void close() {
        // nothing to release
    }
}
