package com.aoaigw.proxy.api;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.proxy.observe.RequestRecorder;
import com.aoaigw.proxy.observe.Telemetry;
import com.aoaigw.proxy.route.ClientApiPath;
import com.aoaigw.proxy.upstream.HeaderPolicy;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * First filter of every request: picks the request id (the client's {@code x-request-id} when valid, else a new
 * one), echoes it on the response, registers an {@link ExchangeLog} in the request context and records the
 * request (access log, stats, metrics) when it ends. Health and metrics probes are not recorded.
 */
public final class RequestIdFilter implements Filter {
    /** The request id header. */
    public static final HeaderName X_REQUEST_ID = HeaderNames.create("x-request-id");
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");

    private final RequestRecorder recorder;
    private final Telemetry telemetry;

    /** @param recorder where finished requests go */
    public RequestIdFilter(RequestRecorder recorder) {
        this(recorder, Telemetry.disabled());
    }

    /**
     * @param recorder  where finished requests go
     * @param telemetry starts the server span of each data-plane request
     */
    public RequestIdFilter(RequestRecorder recorder, Telemetry telemetry) {
        this.recorder = recorder;
        this.telemetry = telemetry;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String client = req.headers().first(X_REQUEST_ID).orElse(null);
        String id = HeaderPolicy.validRequestId(client) ? client : newId();
        res.header(X_REQUEST_ID, id);
        String path = req.path().path();
        ExchangeLog log = new ExchangeLog(id, System.nanoTime(), req.prologue().method().text(), path);
        log.client(clientAddress(req), req.headers().first(HeaderNames.USER_AGENT).orElse(null));
        req.context().register(log);
        if (ClientApiPath.matches(path)) {
            log.trace(telemetry.start(log.method(), path, log.startNanos(), name -> req.headers().first(header(name)).orElse(null)));
        }
        try {
            chain.proceed();
        } finally {
            if (log.status() == 0) {
                log.status(res.status().code());
            }
            if (!probe(path)) {
                recorder.record(log);
            }
        }
    }

    /**
     * The peer's address; behind a reverse proxy on loopback (Caddy, which replaces {@code X-Forwarded-For} with
     * the address it saw), the last {@code X-Forwarded-For} entry instead. At most 64 characters.
     */
    private static String clientAddress(RoutingRequest req) {
        String peer = req.remotePeer().address() instanceof java.net.InetSocketAddress isa && isa.getAddress() != null
                ? isa.getAddress().getHostAddress() : req.remotePeer().host();
        boolean loopback = req.remotePeer().address() instanceof java.net.InetSocketAddress isa
                && isa.getAddress() != null && isa.getAddress().isLoopbackAddress();
        if (loopback) {
            String xff = req.headers().first(HeaderNames.X_FORWARDED_FOR).orElse(null);
            if (xff != null && !xff.isBlank()) {
                String last = xff.substring(xff.lastIndexOf(',') + 1).trim();
                if (!last.isEmpty()) {
                    peer = last;
                }
            }
        }
        return peer == null || peer.length() <= 64 ? peer : peer.substring(0, 64);
    }

    private static HeaderName header(String name) {
        return "traceparent".equals(name) ? TRACEPARENT : TRACESTATE;
    }

    private static boolean probe(String path) {
        return path.equals("/healthz") || path.startsWith("/metrics") || path.startsWith("/health")
                || path.equals("/favicon.ico");
    }

    private static String newId() {
        byte[] b = new byte[12];
        ThreadLocalRandom.current().nextBytes(b);
        return "req_" + HexFormat.of().formatHex(b);
    }
}
