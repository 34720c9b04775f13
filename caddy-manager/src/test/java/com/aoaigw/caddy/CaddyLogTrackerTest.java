package com.aoaigw.caddy;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Log lines as Caddy 2.6.2 wrote them (captured from a run against a closed ACME port, and with local certs). */
@Timeout(5)
class CaddyLogTrackerTest {
    private static final String OBTAINING = """
            {"level":"info","ts":1795666767.0164795,"logger":"tls.obtain","msg":"obtaining certificate","identifier":"example.test"}""";
    private static final String FAILED = """
            {"level":"error","ts":1795666767.5205574,"logger":"tls.obtain","msg":"could not get certificate from issuer","identifier":"example.test","issuer":"127.0.0.1:1-directory","error":"registering account [] with server: provisioning client: performing request: Get \\"http://127.0.0.1:1/directory\\": dial tcp 127.0.0.1:1: connect: connection refused"}""";
    private static final String WILL_RETRY = """
            {"level":"error","ts":1795666767.5210028,"logger":"tls.obtain","msg":"will retry","error":"[example.test] Obtain: registering account [] with server: provisioning client: performing request: Get \\"http://127.0.0.1:1/directory\\": dial tcp 127.0.0.1:1: connect: connection refused","attempt":1,"retrying_in":60,"elapsed":0.504637219,"max_duration":2592000}""";
    private static final String OBTAINED = """
            {"level":"info","ts":1795666830.5,"logger":"tls.obtain","msg":"certificate obtained successfully","identifier":"example.test"}""";

    private final AtomicInteger changes = new AtomicInteger();
    private final CaddyLogTracker tracker = new CaddyLogTracker(changes::incrementAndGet);

    @Test
    void followsObtainFailRetryAndSuccess() {
        tracker.accept(OBTAINING);
        assertEquals(CaddyLogTracker.Phase.OBTAINING, tracker.domain("example.test").orElseThrow().phase());

        tracker.accept(FAILED);
        tracker.accept(WILL_RETRY);
        CaddyLogTracker.DomainLog failed = tracker.domain("EXAMPLE.test").orElseThrow();
        assertEquals(CaddyLogTracker.Phase.FAILED, failed.phase());
        assertTrue(failed.lastError().startsWith("registering account [] with server"), failed.lastError());
        // ts 1795666767.521 + retrying_in 60 s
        assertEquals(Instant.parse("2026-11-26T04:20:27.521Z"), failed.nextRetry().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        assertTrue(tracker.lastError().startsWith("will retry: [example.test] Obtain"), tracker.lastError());

        tracker.accept(OBTAINED);
        CaddyLogTracker.DomainLog ok = tracker.domain("example.test").orElseThrow();
        assertEquals(CaddyLogTracker.Phase.OBTAINED, ok.phase());
        assertNull(ok.lastError());
        assertNull(ok.nextRetry());
        assertEquals(4, changes.get());
    }

    @Test
    void willRetryAloneTakesTheIdentifierFromTheErrorPrefix() {
        tracker.accept(WILL_RETRY);
        CaddyLogTracker.DomainLog failed = tracker.domain("example.test").orElseThrow();
        assertTrue(failed.lastError().startsWith("Obtain: registering account"), failed.lastError());
    }

    @Test
    void ignoresOtherLinesAndGarbage() {
        tracker.accept("not json at all");
        tracker.accept("{\"level\":\"info\",\"ts\":1,\"logger\":\"http\",\"msg\":\"server running\"}");
        tracker.accept("{broken");
        assertTrue(tracker.domain("example.test").isEmpty());
        assertEquals(0, changes.get());
        assertNull(tracker.lastError());
    }

    @Test
    void keepsThePlainTextStartError() {
        tracker.accept("Error: loading initial config: loading new config: http app module: start: listening on "
                + "127.0.0.1:8443: listen tcp 127.0.0.1:8443: bind: address already in use");
        assertTrue(tracker.lastError().startsWith("loading initial config"), tracker.lastError());
        assertEquals(0, changes.get());
    }

    @Test
    void resetForgetsHistory() {
        tracker.accept(FAILED);
        tracker.reset();
        assertTrue(tracker.domain("example.test").isEmpty());
    }
}
