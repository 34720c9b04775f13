package com.aoaigw.sim;

import java.util.List;
import java.util.Map;

/**
 * One request as the simulator received it.
 *
 * @param method  the HTTP method
 * @param path    the path, without the query
 * @param query   the raw query string ("" when there is none)
 * @param headers header values by lower-case name
 * @param body    the body as UTF-8 text ("" when empty)
 * @param clientPort the TCP port of the connection's client end (0 when unknown), so a test can find the exact
 *                connection a request came on (and see whether its client closed it)
 */
public record RecordedRequest(String method, String path, String query, Map<String, List<String>> headers,
                              String body, int clientPort) {

    /** Copies the header map. */
    public RecordedRequest {
        headers = Map.copyOf(headers);
    }

    /**
     * A request whose connection is not known.
     *
     * @param method  the HTTP method
     * @param path    the path, without the query
     * @param query   the raw query string
     * @param headers header values by lower-case name
     * @param body    the body as UTF-8 text
     */
    public RecordedRequest(String method, String path, String query, Map<String, List<String>> headers, String body) {
        this(method, path, query, headers, body, 0);
    }

    /**
     * The first value of a header.
     *
     * @param name the header name, any case
     * @return the first value, or null when absent
     */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.getFirst();
    }
}
