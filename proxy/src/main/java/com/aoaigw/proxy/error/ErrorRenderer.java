package com.aoaigw.proxy.error;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * Renders OpenAI-shaped error bodies: {@code {"error":{"message","type","param","code"}}}. The one place where the
 * proxy's own errors get their JSON, so the shape never drifts.
 */
public final class ErrorRenderer {
    private final JsonFactory json;

    /** @param json the shared JSON factory */
    public ErrorRenderer(JsonFactory json) {
        this.json = json;
    }

    /**
     * @param e the error
     * @return the JSON body
     */
    public byte[] body(ProxyException e) {
        return body(e.getMessage(), e.type(), e.param(), e.code());
    }

    /**
     * @param message English message
     * @param type    error type
     * @param param   param or null
     * @param code    code
     * @return the JSON body
     */
    public byte[] body(String message, String type, String param, String code) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            g.writeStringField("param", param);
            g.writeStringField("code", code);
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The Responses-API error event payload: {@code {"type":"error","code","message","param"}}.
     *
     * @param e the error
     * @return the JSON payload (no SSE framing)
     */
    public byte[] responsesErrorEvent(ProxyException e) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(160);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("type", "error");
            g.writeStringField("code", e.code());
            g.writeStringField("message", e.getMessage());
            g.writeStringField("param", e.param());
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * Sends an error as the whole response (status, JSON content type, body). The caller has set x-request-id.
     *
     * @param res the response, not yet sent
     * @param e   the error
     */
    public void send(ServerResponse res, ProxyException e) {
        res.status(e.status());
        e.headers().forEach((name, value) -> res.header(HeaderNames.create(name), value));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(body(e));
    }
}
