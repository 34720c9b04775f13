package com.aoaigw.proxy.observe;

import java.util.concurrent.atomic.AtomicInteger;

import com.aoaigw.proxy.route.ClientApiPath;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Counts the client API requests ({@link ClientApiPath}) in flight, for the replica's heartbeat. A stream
 * counts until its last event is written (the handler returns only then).
 */
public final class InFlightFilter implements Filter {
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        if (!ClientApiPath.matches(req.path().path())) {
            chain.proceed();
            return;
        }
        inFlight.incrementAndGet();
        try {
            chain.proceed();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** @return client API requests in flight now */
    public int current() {
        return inFlight.get();
    }
}
