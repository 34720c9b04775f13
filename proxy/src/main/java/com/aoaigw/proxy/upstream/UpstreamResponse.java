package com.aoaigw.proxy.upstream;

import java.io.InputStream;

import io.helidon.http.Headers;

/**
 * An upstream answer whose status and headers are known and whose body is not read yet: the part of an HTTP client
 * response the proxy uses. The real one wraps Helidon's WebClient response; unit tests hand-write theirs.
 */
public interface UpstreamResponse extends AutoCloseable {
    /** @return the HTTP status code */
    int status();

    /** @return the response headers */
    Headers headers();

    /** @return the body, read once */
    InputStream inputStream();

    /** Releases the response and its connection (a body not read to its end is not kept for reuse). */
    @Override
    void close();
}
