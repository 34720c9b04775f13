package com.aoaigw.proxy.observe;

import java.util.logging.Level;
import java.util.logging.LogRecord;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The log record of one access-log line. Its message is the JSON line; handlers that want the fields (the admin log
 * buffer) take them from {@link #fields()} instead of parsing the message again. The source class and method are
 * set, so no handler makes the JDK walk the stack to find them.
 */
public final class AccessRecord extends LogRecord {
    private static final long serialVersionUID = 1L;

    private final transient ExchangeLog exchange;
    private final long latencyMs;

    AccessRecord(ExchangeLog exchange, long latencyMs) {
        super(Level.INFO, null);
        this.exchange = exchange;
        this.latencyMs = latencyMs;
        setLoggerName(AccessLog.LOGGER);
        setSourceClassName(AccessLog.class.getName());
        setSourceMethodName("write");
    }

    /** @return the finished exchange */
    public ExchangeLog exchange() {
        return exchange;
    }

    /** @return the request's total time in milliseconds */
    public long latencyMs() {
        return latencyMs;
    }

    /**
     * @return a new object with the fields of the line, in its order (not redacted: the caller decides)
     */
    public ObjectNode fields() {
        return fields(exchange, latencyMs, getInstant());
    }

    /**
     * @param e         the finished exchange
     * @param latencyMs total time
     * @param ts        when it was logged
     * @return a new object with the fields of the access line, in its order (not redacted: the caller decides)
     */
    public static ObjectNode fields(ExchangeLog e, long latencyMs, java.time.Instant ts) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("ts", ts.toString());
        o.put("requestId", e.requestId());
        o.put("method", e.method());
        o.put("path", e.path());
        o.put("keyId", e.keyId());
        o.put("model", e.model());
        o.put("deployment", e.deployment());
        o.put("upstream", e.upstream());
        o.put("route", e.route());
        o.put("status", e.status());
        o.put("latencyMs", latencyMs);
        if (e.ttftMs() >= 0) {
            o.put("ttftMs", e.ttftMs());
        } else {
            o.putNull("ttftMs");
        }
        o.put("promptTokens", e.usage().promptTokens());
        o.put("completionTokens", e.usage().completionTokens());
        o.put("cachedTokens", e.usage().cachedTokens());
        o.put("errorCode", e.errorCode());
        o.put("stream", e.stream());
        com.fasterxml.jackson.databind.node.ArrayNode attempts = o.putArray("attempts");
        for (ExchangeLog.Attempt a : e.attemptList()) {
            ObjectNode x = attempts.addObject();
            x.put("model", a.model());
            x.put("upstream", a.upstream());
            x.put("deployment", a.deployment());
            if (a.error() != null) {
                x.put("error", a.error());
            }
            if (a.status() > 0) {
                x.put("status", a.status());
            }
            x.put("ms", a.ms());
        }
        o.put("clientAddress", e.clientAddress());
        o.put("userAgent", e.userAgent());
        return o;
    }
}
