package com.aoaigw.proxy.upstream;

/**
 * Implemented by the exception a request transform throws for a request it cannot translate; the proxy answers
 * 400 {@code invalid_request_error} with these fields.
 */
public interface TranslationError {
    /** @return the request field at fault, or null */
    String param();

    /** @return a stable error code */
    String code();

    /** @return an English message for the client */
    String getMessage();
}
