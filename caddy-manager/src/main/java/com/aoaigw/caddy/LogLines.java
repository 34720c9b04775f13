package com.aoaigw.caddy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One log format for caddy-manager's own lines and the Caddy lines it forwards: with {@code LOG_FORMAT=json} one
 * JSON object per line ({@code ts} in UTC, {@code level}, {@code logger}, {@code message}, then Caddy's other
 * fields), otherwise the proxy's text form {@code yyyy-MM-ddTHH:mm:ss.SSS LEVEL logger message key=value...}
 * (local time). Caddy's loggers appear as {@code caddy.<logger>}. Caddy's log line for caddy-manager's own liveness
 * probe ({@code GET /config/} on the admin API, every few seconds) is dropped.
 */
final class LogLines {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

    private final boolean json;
    private final ZoneId zone;

    /**
     * @param json one JSON object per line instead of text
     * @param zone the time zone of text lines
     */
    LogLines(boolean json, ZoneId zone) {
        this.json = json;
        this.zone = zone;
    }

    /**
     * @param logFormat the {@code LOG_FORMAT} value
     * @return the formatter it selects ({@code json}, any case; text otherwise)
     */
    static LogLines of(String logFormat) {
        return new LogLines(logFormat != null && logFormat.trim().equalsIgnoreCase("json"), ZoneId.systemDefault());
    }

    /**
     * @param raw one line Caddy wrote (JSON, or anything else it printed)
     * @return the line in the common format, or null to drop it (the liveness probe's request line)
     */
    String caddy(String raw) {
        JsonNode n;
        try {
            n = raw.startsWith("{") ? JSON.readTree(raw) : null;
        } catch (java.io.IOException e) {
            n = null;
        }
        if (!(n instanceof ObjectNode o)) {
            return line(Instant.now(), "INFO", "caddy", raw, null);
        }
        if ("admin.api".equals(o.path("logger").asText()) && "received request".equals(o.path("msg").asText())
                && "GET".equals(o.path("method").asText()) && "/config/".equals(o.path("uri").asText())) {
            return null;
        }
        Instant ts = o.path("ts").isNumber()
                ? Instant.ofEpochMilli(Math.round(o.get("ts").asDouble() * 1000)) : Instant.now();
        String level = o.path("level").asText("info").toUpperCase(java.util.Locale.ROOT);
        String logger = o.hasNonNull("logger") ? "caddy." + o.get("logger").asText() : "caddy";
        String msg = o.path("msg").asText("");
        ObjectNode rest = o.deepCopy();
        rest.remove(java.util.List.of("ts", "level", "logger", "msg"));
        return line(ts, level, logger, msg, rest);
    }

    /**
     * @return a JUL formatter writing caddy-manager's own records in the same format
     */
    Formatter formatter() {
        return new Formatter() {
            @Override
            public String format(LogRecord r) {
                String msg = formatMessage(r);
                if (r.getThrown() != null) {
                    StringWriter sw = new StringWriter();
                    try (PrintWriter pw = new PrintWriter(sw)) {
                        r.getThrown().printStackTrace(pw);
                    }
                    ObjectNode extra = JSON.createObjectNode().put("thrown", sw.toString());
                    return line(r.getInstant(), level(r.getLevel()), r.getLoggerName(), msg, extra) + "\n";
                }
                return line(r.getInstant(), level(r.getLevel()), r.getLoggerName(), msg, null) + "\n";
            }
        };
    }

    private static String level(Level l) {
        return l == Level.SEVERE ? "ERROR" : l.getName();
    }

    private String line(Instant ts, String level, String logger, String msg, ObjectNode rest) {
        if (json) {
            ObjectNode o = JSON.createObjectNode();
            o.put("ts", ts.toString());
            o.put("level", level);
            o.put("logger", logger == null ? "" : logger);
            o.put("message", msg);
            if (rest != null) {
                o.setAll(rest);
            }
            return o.toString();
        }
        StringBuilder b = new StringBuilder(LOCAL.format(LocalDateTime.ofInstant(ts, zone)))
                .append(' ').append(level).append(' ').append(logger == null ? "" : logger).append(' ')
                .append(msg.replace('\n', ' '));
        if (rest != null) {
            for (Iterator<Map.Entry<String, JsonNode>> it = rest.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                b.append(' ').append(f.getKey()).append('=')
                        .append(f.getValue().isTextual() ? f.getValue().asText().replace('\n', ' ') : f.getValue());
            }
        }
        return b.toString();
    }
}
