package com.aoaigw.sim;

import java.io.IOException;
import java.io.OutputStream;

import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Azure answers HEAD without a body; Helidon 4.5 would send the entity a handler (or its 404) produces, which a
 * keep-alive client then reads as the start of the next response. The entity bytes of a HEAD answer are dropped.
 */
final class NoBodyForHead implements Filter {
    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (Method.HEAD.equals(req.prologue().method())) {
            res.streamFilter(os -> new Discard(os, res));
        }
        chain.proceed();
    }

    private static final class Discard extends OutputStream {
        private final OutputStream out;
        private final RoutingResponse res;

        Discard(OutputStream out, RoutingResponse res) {
            this.out = out;
            this.res = res;
        }

        @Override
        public void write(int b) {
            // dropped
        }

        @Override
        public void write(byte[] b, int off, int len) {
            // dropped
        }

        @Override
        public void flush() {
            // committing early would start a chunked body
        }

        @Override
        public void close() throws IOException {
            out.close();
            res.commit(); // sent now, as a plain send would be
        }
    }
}
