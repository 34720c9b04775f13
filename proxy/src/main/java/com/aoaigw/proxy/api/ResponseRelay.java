package com.aoaigw.proxy.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.limit.CompletionSeen;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.proxy.observe.GenAiReader;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.proxy.route.RoutePlan;
import com.aoaigw.proxy.translate.EventSink;
import com.aoaigw.proxy.translate.SseEvent;
import com.aoaigw.proxy.translate.StreamTransform;
import com.aoaigw.proxy.translate.TranslationPlan;
import com.aoaigw.proxy.upstream.HeaderPolicy;
import com.aoaigw.proxy.upstream.SseFramer;
import com.aoaigw.proxy.upstream.UpstreamFailures;
import com.aoaigw.proxy.upstream.UpstreamResponse;
import com.aoaigw.proxy.upstream.UsageMeter;
import com.aoaigw.proxy.upstream.Watchdog;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;

/**
 * Relays the upstream answer that {@link Forwarder} obtained to the client: a whole body (read under the request
 * timeout, translated when the plan says so), or a stream event by event with a flush after each, the idle timeout
 * between events, usage metered on the way, and an OpenAI-shaped error event when the stream fails after it started.
 * A client that goes away mid-stream closes the upstream response, which cancels the Azure call.
 */
final class ResponseRelay {
    private static final System.Logger LOG = System.getLogger(ResponseRelay.class.getName());
    private static final byte[] DONE = "data: [DONE]".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;
    private final ErrorRenderer errors;

    /**
     * @param mapper the shared Jackson mapper
     * @param errors renders errors inside a started stream
     */
    ResponseRelay(ObjectMapper mapper, ErrorRenderer errors) {
        this.mapper = mapper;
        this.errors = errors;
    }

    void relayWhole(ServerResponse res, UpstreamResponse up, int status, RoutePlan plan, TranslationPlan tp,
                            Watchdog.Watch watch, UpstreamSettings us, ExchangeLog log, CompletionSeen seen,
                            boolean ownRateHeaders) {
        byte[] bytes;
        watch.arm(Watchdog.Phase.REQUEST, us.requestTimeoutMs());
        try (InputStream in = up.inputStream()) {
            bytes = Forwarder.readEntity(in, up.headers().contentLength());
        } catch (IOException | RuntimeException e) {
            Watchdog.Phase expired = watch.expired();
            watch.disarm();
            throw UpstreamFailures.classify(e, expired);
        }
        watch.disarm();
        copyHeaders(up, res, log, ownRateHeaders);
        String ct = up.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json");
        if (status >= 200 && status < 300) {
            seen.answered();
            UsageMeter meter = new UsageMeter(mapper);
            meter.observeBody(bytes);
            if (log.genAiReader() != null) {
                log.genAiReader().answer(bytes);
            }
            log.usage(meter.usage());
            if (!tp.passThrough()) {
                bytes = tp.response().apply(bytes);
            }
        } else {
            log.errorCode(upstreamErrorCode(status, bytes));
        }
        log.status(status);
        log.ttftMs((System.nanoTime() - log.startNanos()) / 1_000_000);
        seen.settle(); // charged before the client has the answer: its next request sees these tokens
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, ct);
        res.send(bytes);
    }

    void relayStream(ServerResponse res, UpstreamResponse up, SseFramer framer, SseEvent first,
                             RoutePlan plan, TranslationPlan tp, boolean dropUsageChunk, Watchdog.Watch watch,
                             UpstreamSettings us, ExchangeLog log, CompletionSeen seen, boolean ownRateHeaders) {
        UsageMeter meter = new UsageMeter(mapper);
        StreamTransform transform = tp.stream().get();
        // only now, with a first event in hand, is the client told 200
        seen.answered();
        copyHeaders(up, res, log, ownRateHeaders);
        res.status(200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header(HeaderNames.create("x-accel-buffering"), "no");
        log.status(200);
        OutputStream os = res.outputStream();
        // [0]: something was written, [1]: written since the last flush
        boolean[] wrote = {false, false};
        // Events are written as they come and flushed once the upstream bytes in hand hold no further whole event,
        // just before the relay waits for more: events that arrive together (the first two, the last ones with the
        // usage and [DONE]) leave in one write, and no event ever waits for a later one.
        EventSink sink = ev -> {
            try {
                os.write(ev.raw());
            } catch (UncheckedIOException e) {
                throw e.getCause();
            } catch (RuntimeException e) {
                throw new IOException("client write failed", e);
            }
            wrote[1] = true;
            if (!wrote[0]) {
                wrote[0] = true;
                log.ttftMs((System.nanoTime() - log.startNanos()) / 1_000_000);
            }
        };
        boolean clientGone = false;
        try {
            SseEvent ev = first;
            boolean done = false;
            GenAiReader genAi = log.genAiReader();
            while (ev != null) {
                boolean usageOnly = meter.observe(ev);
                if (seen.keeps()) {
                    seen.event(ev.data()); // decoding every event of every stream cost an allocation per event
                }
                if (genAi != null) {
                    genAi.event(ev.data());
                }
                if (ev.contains(DONE)) {
                    done = true;
                }
                if (usageOnly || done || meter.seen()) {
                    // the stream's usage (its last chunk, or Responses' response.completed) or its end: charged before
                    // the client has it, so its next request finds these tokens counted
                    log.usage(meter.usage());
                    seen.settle();
                }
                if (!(dropUsageChunk && usageOnly)) {
                    transform.onEvent(ev, sink);
                }
                ev = framer.poll();
                if (ev == null) {
                    flush(os, wrote);
                    ev = readEvent(framer, watch, Watchdog.Phase.IDLE, us.idleTimeoutMs());
                }
            }
            log.usage(meter.usage());
            if (framer.truncated() || (plan.backendRoute() == RouteKey.CHAT && !done)) {
                throw new ProxyException.UpstreamFailure(502, "upstream_stream_truncated",
                        "The upstream stream ended before it was complete.", null);
            }
            seen.settle();
            transform.onEnd(sink);
            os.close();
        } catch (IOException e) {
            clientGone = true;
        } catch (RuntimeException re) {
            ProxyException e = re instanceof ProxyException pe ? pe
                    : new ProxyException.Internal(500, "internal_error", "The gateway failed while relaying the stream.", re);
            if (!(re instanceof ProxyException)) {
                LOG.log(System.Logger.Level.ERROR, "stream " + log.requestId() + " failed in the proxy", re);
            }
            log.usage(meter.usage());
            log.errorCode(e.code());
            LOG.log(System.Logger.Level.WARNING, "stream " + log.requestId() + " failed after it started: " + e.code());
            try {
                writeStreamError(sink, plan.clientRoute(), e);
                os.close();
            } catch (IOException | RuntimeException ex) {
                clientGone = true;
            }
        }
        if (clientGone) {
            // closing the upstream response (by the caller's try-with-resources) cancels the Azure call
            log.status(499);
            log.usage(meter.usage());
            log.errorCode("client_disconnected");
            up.close();
        }
    }

    /** Flushes what the sink wrote since the last flush (before the relay blocks on the upstream). */
    private static void flush(OutputStream os, boolean[] wrote) throws IOException {
        if (!wrote[1]) {
            return;
        }
        wrote[1] = false;
        try {
            os.flush();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw new IOException("client write failed", e);
        }
    }

    private SseEvent readEvent(SseFramer framer, Watchdog.Watch watch, Watchdog.Phase phase, long timeoutMs) {
        watch.arm(phase, timeoutMs);
        try {
            return framer.next();
        } catch (IOException | RuntimeException e) {
            Watchdog.Phase expired = watch.expired();
            watch.disarm();
            throw UpstreamFailures.classify(e, expired);
        } finally {
            watch.disarm();
        }
    }

    private void writeStreamError(EventSink sink, RouteKey clientRoute, ProxyException e) throws IOException {
        if (clientRoute == RouteKey.RESPONSES) {
            sink.send(SseEvent.of("error", new String(errors.responsesErrorEvent(e), StandardCharsets.UTF_8)));
        } else {
            sink.send(SseEvent.of(null, new String(errors.body(e), StandardCharsets.UTF_8)));
        }
    }

    /**
     * Copies the allowed upstream headers; for a key with its own limits ({@code ownRateHeaders}) Azure's
     * {@code x-ratelimit-*} stay behind: they describe the shared deployment, and the key's own are already set.
     */
    private static void copyHeaders(UpstreamResponse up, ServerResponse res, ExchangeLog log, boolean ownRateHeaders) {
        for (Header h : up.headers()) {
            String n = h.headerName().lowerCase();
            if (ownRateHeaders && n.startsWith("x-ratelimit-")) {
                continue;
            }
            if (HeaderPolicy.passResponse(n)) {
                res.header(h);
            } else if (n.equals("x-request-id") && !h.get().equals(log.requestId())) {
                res.header(HeaderNames.create(HeaderPolicy.UPSTREAM_REQUEST_ID), h.get());
            }
        }
    }

    private String upstreamErrorCode(int status, byte[] bytes) {
        String code = null;
        if (bytes.length > 0 && bytes.length < 65536) {
            try {
                JsonNode e = mapper.readTree(bytes).path("error");
                JsonNode cd = e.path("code");
                if (cd.isTextual() || cd.isNumber()) {
                    code = cd.asText();
                }
            } catch (JsonProcessingException ignored) {
                // not JSON; fall back to the status
            } catch (IOException ignored) {
                // same
            }
        }
        return "upstream_" + (code == null || code.isBlank() ? Integer.toString(status) : code);
    }
}
