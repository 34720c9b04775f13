package com.aoaigw.proxy.observe;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

/**
 * One structured line per request on the logger {@code aoaigw.access}: a JSON object with ts, requestId, keyId,
 * model, deployment, upstream, route, status, latencyMs, ttftMs, promptTokens, completionTokens, cachedTokens,
 * errorCode, stream, attempts. Written synchronously (JUL handlers are cheap and nothing is lost).
 */
public final class AccessLog {
    /** The logger name. */
    public static final String LOGGER = "aoaigw.access";

    private final System.Logger log = System.getLogger(LOGGER);
    private final JsonFactory json;

    /** @param json the shared JSON factory */
    public AccessLog(JsonFactory json) {
        this.json = json;
    }

    /**
     * @param e         the finished exchange
     * @param latencyMs total time
     */
    public void write(ExchangeLog e, long latencyMs) {
        if (!log.isLoggable(System.Logger.Level.INFO)) {
            return;
        }
        log.log(System.Logger.Level.INFO, line(e, latencyMs));
    }

    /**
     * @param e         the finished exchange
     * @param latencyMs total time
     * @return the JSON line
     */
    public String line(ExchangeLog e, long latencyMs) {
        StringWriter w = new StringWriter(320);
        try (JsonGenerator g = json.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("ts", Instant.now().toString());
            g.writeStringField("requestId", e.requestId());
            g.writeStringField("method", e.method());
            g.writeStringField("path", e.path());
            g.writeStringField("keyId", e.keyId());
            g.writeStringField("model", e.model());
            g.writeStringField("deployment", e.deployment());
            g.writeStringField("upstream", e.upstream());
            g.writeStringField("route", e.route());
            g.writeNumberField("status", e.status());
            g.writeNumberField("latencyMs", latencyMs);
            if (e.ttftMs() >= 0) {
                g.writeNumberField("ttftMs", e.ttftMs());
            } else {
                g.writeNullField("ttftMs");
            }
            g.writeNumberField("promptTokens", e.usage().promptTokens());
            g.writeNumberField("completionTokens", e.usage().completionTokens());
            g.writeNumberField("cachedTokens", e.usage().cachedTokens());
            g.writeStringField("errorCode", e.errorCode());
            g.writeBooleanField("stream", e.stream());
            g.writeNumberField("attempts", e.attempts());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        return w.toString();
    }
}
