package com.aoaigw.proxy.api;

import java.io.IOException;
import java.io.OutputStream;

import io.helidon.common.Weighted;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * A response to HEAD has no body (RFC 9110, 9.3.2), whatever produced it: an error of any filter or service, a
 * 404, a 405. Helidon 4.5 sends whatever entity a handler gives, and a body after a HEAD answer is read by a
 * keep-alive client as the start of the next response (Node: {@code HPE_INVALID_CONSTANT}; Caddy drops the
 * connection). This filter, the first of the chain (a feature of the highest weight), swallows the entity bytes of every HEAD response, so the
 * response goes out with its status and headers and {@code Content-Length: 0}.
 */
public final class HeadRequestFilter implements Filter, HttpFeature, Weighted {
    /** Set up before every other feature, so its filter runs before theirs (the admin area's answers too). */
    @Override
    public double weight() {
        return 10_000;
    }

    @Override
    public void setup(HttpRouting.Builder routing) {
        routing.addFilter(this);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (Method.HEAD.equals(req.prologue().method())) {
            res.streamFilter(os -> new Bodyless(os, res));
        }
        chain.proceed();
    }

    /** Drops every byte; closing it still commits the response (headers only). */
    private static final class Bodyless extends OutputStream {
        private final OutputStream response;
        private final RoutingResponse res;

        Bodyless(OutputStream response, RoutingResponse res) {
            this.response = response;
            this.res = res;
        }

        @Override
        public void write(int b) {
            // no body for HEAD
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // no body for HEAD
        }

        @Override
        public void flush() {
            // a flush would commit a chunked response, whose terminating chunk is body bytes
        }

        @Override
        public void close() throws IOException {
            response.close();
            // a filter that answers (401, 403) is checked for a sent response before Helidon commits a streamed
            // one, so the empty answer is committed here
            res.commit();
        }
    }
}
