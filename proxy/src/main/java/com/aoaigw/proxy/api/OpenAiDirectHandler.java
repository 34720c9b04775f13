package com.aoaigw.proxy.api;

import com.aoaigw.proxy.error.ErrorRenderer;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;

/**
 * Answers the errors Helidon raises before routing (malformed request line or headers, oversized headers, an
 * unsupported HTTP version) in the OpenAI error shape, so no framework-shaped body ever reaches a client. The
 * framework's message is not echoed (it may quote the bad input).
 */
public final class OpenAiDirectHandler implements DirectHandler {
    private final ErrorRenderer errors;

    /** @param errors the renderer */
    public OpenAiDirectHandler(ErrorRenderer errors) {
        this.errors = errors;
    }

    @Override
    public TransportResponse handle(TransportRequest request, EventType eventType, Status status,
                                    ServerResponseHeaders headers, String message) {
        String code = switch (eventType) {
            case BAD_REQUEST -> "bad_request";
            case PAYLOAD_TOO_LARGE -> "request_too_large";
            case FORBIDDEN -> "forbidden";
            case INTERNAL_ERROR -> "internal_error";
            case HTTP_VERSION_NOT_SUPPORTED -> "http_version_not_supported";
            case OTHER -> status.code() == 404 ? "unknown_url" : "http_" + status.code();
        };
        String type = status.code() >= 500 ? "server_error" : "invalid_request_error";
        TransportResponse.Builder b = TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json");
        if (!"HEAD".equals(request.method())) {
            // an answer to HEAD never has a body, not even an error's
            b.entity(errors.body(status.reasonPhrase() + ".", type, null, code));
        }
        if (!eventType.keepAlive()) {
            b.keepAlive(false);
        }
        return b.build();
    }
}
