package com.aoaigw.proxy.observe;

import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Counts the client API requests ({@code /v1/*}, {@code /openai/*}) in flight, for the replica's heartbeat. A stream
 * counts until its last event is written (the handler returns only then).
 */
public final class InFlightFilter implements Filter {
    private final AtomicInteger inFlight = new AtomicInteger();

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (!path.startsWith("/v1/") && !path.startsWith("/openai/")) {
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
