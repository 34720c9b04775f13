package com.aoaigw.proxy.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Reads a small request body (admin API, caddy-manager report) without ever holding more than its limit: a declared
 * {@code Content-Length} above the limit is refused before a byte is read, a chunked body is cut as soon as it
 * passes the limit. The refusal closes the connection, so the server does not read (and discard) the rest of a
 * huge upload either. These routes are reachable before authentication (login), so the bound is what keeps an
 * anonymous client from filling the heap.
 */
final class BoundedBody {
    private BoundedBody() {
    }

    /** The body is larger than allowed; the connection is marked to close. */
    static final class TooLarge extends Exception {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /**
     * @param req   the request
     * @param res   its response (gets {@code Connection: close} when the body is refused)
     * @param limit largest body in bytes
     * @return the body (empty when there is none)
     * @throws TooLarge    when the body is (or declares to be) larger than the limit
     * @throws IOException when it cannot be read
     */
    static byte[] read(ServerRequest req, ServerResponse res, int limit) throws TooLarge, IOException {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            res.header(HeaderValues.CONNECTION_CLOSE);
            throw new TooLarge();
        }
        // not closed on refusal: closing Helidon's entity stream drains the rest of the upload (and inside a chunk
        // it reads the data as if it were a chunk-size line, without bound); the Connection: close skips the drain
        InputStream in = req.content().inputStream();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(
                    (int) Math.min(declared.orElse(8192), limit));
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (out.size() + n > limit) {
                    res.header(HeaderValues.CONNECTION_CLOSE);
                    throw new TooLarge();
                }
                out.write(buf, 0, n);
            }
            in.close();
            return out.toByteArray();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RequestException e) {
            // the server-wide limit cut the entity (a single chunk announcing more than it)
            if (e.status().code() == 413) {
                res.header(HeaderValues.CONNECTION_CLOSE);
                throw new TooLarge();
            }
            throw e;
        }
    }
}
