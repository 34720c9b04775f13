package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.proxy.route.LocalPoolState;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.route.RouteKey;

/**
 * {@link FailoverLoop} on a {@link FakeUpstreamClient}: which deployment is tried next, which answers are closed,
 * and what reaches the caller, without a socket.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class FailoverLoopTest {
    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final FakeUpstreamClient upstream = new FakeUpstreamClient();
    private final FailoverLoop loop = new FailoverLoop(upstream, new ModelRouter(),
            new Pools(new LocalPoolState(), clock::get));
    private final Watchdog watchdog = new Watchdog();
    private final GatewayConfig config = new ConfigLoader().load("""
            {"auth":{"mode":"apiKey","apiKey":"sim-key"},
             "apiKeys":[{"id":"k","key":"k-0123456789abcdef"}],
             "upstreams":[{"name":"a","baseUrl":"http://127.0.0.1:9"},{"name":"b","baseUrl":"http://127.0.0.1:10"}],
             "models":[{"id":"m","family":"gpt-4o","deployments":[{"upstream":"a","deployment":"first"},
                                                  {"upstream":"b","deployment":"second","priority":1}]}]}
            """).config();

    @AfterEach
    void stop() {
        watchdog.close();
    }

    private FailoverLoop.Result run(boolean stream) {
        FailoverLoop.RequestFactory f = p -> new UpstreamClient.Request(p.target(),
                ("{\"model\":\"" + p.deployment().deployment() + "\"}").getBytes(StandardCharsets.UTF_8), stream,
                "req-1", config.effectiveAuth(p.upstream()).resolve(), List.of());
        try (Watchdog.Watch w = watchdog.watch(System.nanoTime() + TimeUnit.SECONDS.toNanos(20))) {
            return loop.run(config, RouteKey.CHAT, List.of(config.model("m").orElseThrow()), stream, f, w);
        }
    }

    @Test
    void a429GoesToTheNextDeploymentAndIsClosed() {
        upstream.json(429, "{\"error\":{\"code\":\"429\"}}", "retry-after-ms", "500").json(200, "{\"ok\":true}");
        FailoverLoop.Result r = run(false);
        assertEquals("second", r.plan().deployment().deployment());
        assertEquals(200, r.answer().response().status());
        assertEquals(List.of(429, 200), r.attempts().stream().map(FailoverLoop.Attempt::status).toList());
        assertTrue(upstream.responses().get(0).closed(), "the 429 that was not used is closed");
        assertFalse(upstream.responses().get(1).closed(), "the answer is the caller's to close");
        assertTrue(upstream.requests().get(1).target().toString().startsWith("http://127.0.0.1:10/"),
                upstream.requests().get(1).target().toString());
    }

    @Test
    void aRefusedConnectionFailsOverAtOnce() {
        upstream.fail(502, "upstream_connection_refused").json(200, "{}");
        FailoverLoop.Result r = run(false);
        assertEquals("second", r.plan().deployment().deployment());
        assertEquals("upstream_connection_refused", r.attempts().get(0).error());
    }

    @Test
    void whenEveryDeploymentAnswers429TheLastAnswerGoesToTheClientOpen() {
        upstream.json(429, "{}").json(429, "{\"last\":true}");
        FailoverLoop.Result r = run(false);
        assertEquals(429, r.answer().response().status());
        assertTrue(upstream.responses().get(0).closed());
        assertFalse(upstream.responses().get(1).closed());
    }

    @Test
    void aFailureAfterTheRequestWasSentIsNotFailedOver() {
        upstream.fail(502, "upstream_connection_reset").json(200, "{}");
        FailoverLoop.Failed f = assertThrows(FailoverLoop.Failed.class, () -> run(false));
        assertEquals("upstream_connection_reset", f.error().code());
        assertEquals(1, upstream.requests().size(), "Azure may have the request: it is not sent twice");
    }

    @Test
    void aStreamIsAnsweredByItsFirstRealEventKeepAlivesSkipped() throws Exception {
        upstream.stream(": keep-alive\n\ndata: {\"n\":1}\n\ndata: [DONE]\n\n");
        FailoverLoop.Result r = run(true);
        assertEquals("{\"n\":1}", r.first().data());
        assertNull(r.first().event());
        assertEquals("data: [DONE]", new String(r.framer().next().raw(), StandardCharsets.UTF_8).strip());
    }

    @Test
    void aStreamThatEndsBeforeAnyEventFailsOver() {
        upstream.stream("").stream("data: {\"n\":2}\n\n");
        FailoverLoop.Result r = run(true);
        assertEquals("second", r.plan().deployment().deployment());
        assertEquals("upstream_empty_stream", r.attempts().get(0).error());
        assertTrue(upstream.responses().get(0).closed());
    }
}
