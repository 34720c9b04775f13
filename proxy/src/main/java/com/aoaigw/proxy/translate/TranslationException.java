package com.aoaigw.proxy.translate;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request (or an upstream answer) that cannot be normalised or translated for the target API.
 *
 * <p>The data plane turns it into an OpenAI-shaped error with {@link #status()}; {@link #toErrorBody()} builds that
 * body. The message is English and names the field so that the client can fix the request.
 */
public final class TranslationException extends RuntimeException {
    private final int status;
    private final String param;
    private final String code;

    /**
     * A translation failure.
     *
     * @param status  HTTP status for the client, normally 400 (502 for an upstream answer that cannot be mapped)
     * @param param   the offending request field as a JSON path (e.g. {@code reasoning.effort}), or {@code null}
     * @param code    a machine-readable code such as {@code unsupported_parameter}
     * @param message an English message naming the field and the fix
     */
    public TranslationException(int status, String param, String code, String message) {
        super(message);
        this.status = status;
        this.param = param;
        this.code = code;
    }

    /**
     * A 400 for a parameter the target cannot take.
     *
     * @param param   the field
     * @param message English explanation
     * @return the exception
     */
    static TranslationException unsupported(String param, String message) {
        return new TranslationException(400, param, "unsupported_parameter", message);
    }

    /**
     * A 400 for a value the target cannot take.
     *
     * @param param   the field
     * @param message English explanation
     * @return the exception
     */
    static TranslationException unsupportedValue(String param, String message) {
        return new TranslationException(400, param, "unsupported_value", message);
    }

    /** @return the HTTP status for the client */
    public int status() {
        return status;
    }

    /** @return the offending field, or {@code null} */
    public String param() {
        return param;
    }

    /** @return the machine-readable error code */
    public String code() {
        return code;
    }

    /**
     * The OpenAI-shaped error body: {@code {"error":{"message","type","param","code"}}}.
     *
     * @return a new JSON object
     */
    public ObjectNode toErrorBody() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", getMessage());
        error.put("type", status >= 500 ? "upstream_error" : "invalid_request_error");
        if (param == null) {
            error.putNull("param");
        } else {
            error.put("param", param);
        }
        error.put("code", code);
        return root;
    }
}
