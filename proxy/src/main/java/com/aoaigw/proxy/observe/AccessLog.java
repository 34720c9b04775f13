package com.aoaigw.proxy.observe;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One structured line per request on the logger {@code aoaigw.access}: a JSON object with ts, requestId, method, path,
 * keyId, model, deployment, upstream, route, status, latencyMs, ttftMs, promptTokens, completionTokens, cachedTokens,
 * errorCode, stream, attempts, clientAddress, userAgent. The line is built once, as the message of an {@link AccessRecord} that also carries
 * the fields; the console handler ({@link ConsoleLogHandler}) writes it off the request thread.
 */
public final class AccessLog {
    /** The logger name. */
    public static final String LOGGER = "aoaigw.access";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final Logger log = Logger.getLogger(LOGGER);

    /** An access log on the logger {@value #LOGGER}. */
    public AccessLog() {
    }

    /**
     * @param e         the finished exchange
     * @param latencyMs total time
     */
    public void write(ExchangeLog e, long latencyMs) {
        if (!log.isLoggable(Level.INFO)) {
            return;
        }
        AccessRecord r = new AccessRecord(e, latencyMs);
        r.setMessage(line(e, latencyMs, r.getInstant()));
        log.log(r);
    }

    /**
     * The JSON line, written by hand (one string builder, no parser or generator objects per request).
     *
     * @param e         the finished exchange
     * @param latencyMs total time
     * @param ts        when it is logged
     * @return the JSON line
     */
    public static String line(ExchangeLog e, long latencyMs, Instant ts) {
        StringBuilder b = new StringBuilder(384);
        b.append("{\"ts\":\"").append(ts).append('"');
        text(b, "requestId", e.requestId());
        text(b, "method", e.method());
        text(b, "path", e.path());
        text(b, "keyId", e.keyId());
        text(b, "model", e.model());
        text(b, "deployment", e.deployment());
        text(b, "upstream", e.upstream());
        text(b, "route", e.route());
        b.append(",\"status\":").append(e.status());
        b.append(",\"latencyMs\":").append(latencyMs);
        b.append(",\"ttftMs\":");
        if (e.ttftMs() >= 0) {
            b.append(e.ttftMs());
        } else {
            b.append("null");
        }
        b.append(",\"promptTokens\":").append(e.usage().promptTokens());
        b.append(",\"completionTokens\":").append(e.usage().completionTokens());
        b.append(",\"cachedTokens\":").append(e.usage().cachedTokens());
        text(b, "errorCode", e.errorCode());
        b.append(",\"stream\":").append(e.stream());
        b.append(",\"attempts\":[");
        boolean first = true;
        for (ExchangeLog.Attempt a : e.attemptList()) {
            b.append(first ? "{" : ",{");
            first = false;
            b.append("\"model\":");
            quoted(b, a.model());
            text(b, "upstream", a.upstream());
            text(b, "deployment", a.deployment());
            if (a.error() != null) {
                text(b, "error", a.error());
            }
            if (a.status() > 0) {
                b.append(",\"status\":").append(a.status());
            }
            b.append(",\"ms\":").append(a.ms()).append('}');
        }
        b.append(']');
        text(b, "clientAddress", e.clientAddress());
        text(b, "userAgent", e.userAgent());
        if (e.trace().traceId() != null) {
            text(b, "traceId", e.trace().traceId());
        }
        return b.append('}').toString();
    }

    /**
     * Appends {@code ,"name":"value"} (or {@code null}) with JSON escaping.
     *
     * @param b     the line
     * @param name  the field name (plain ASCII)
     * @param value the value, or null
     */
    static void text(StringBuilder b, String name, String value) {
        b.append(",\"").append(name).append("\":");
        quoted(b, value);
    }

    private static void quoted(StringBuilder b, String value) {
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) {
                        // control characters, and the two separators that break a line in some log viewers
                        b.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf])
                                .append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
