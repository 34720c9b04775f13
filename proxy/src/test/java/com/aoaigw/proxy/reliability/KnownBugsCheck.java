package com.aoaigw.proxy.reliability;

import org.junit.jupiter.api.Test;

/**
 * The bug found by the reliability tests that is still open, as the test that should pass once it is fixed. The
 * class name matches neither surefire's nor failsafe's patterns, so it stays OUT of {@code mvn verify}; run it on
 * purpose with
 * {@code mvn -B -pl proxy -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KnownBugsCheck}
 * (it also runs the fixed ones it inherits from {@link RegressionsIT}).
 *
 * <p>Cause, found in Helidon 4.5.0's {@code Http1CallChainBase.readResponse}: the connection is closed only when
 * reading the status line throws {@code UncheckedIOException}; an end of stream surfaces as
 * {@code DataReader.InsufficientDataAvailableException}, so the socket is neither closed nor returned to the pool.
 * The proxy never sees the connection (the WebClient owns it), so it cannot close it; the descriptor is released
 * when the garbage collector reclaims the socket (the soak: 26 open after 156 such faults in 210 s).
 */
class KnownBugsCheck extends RegressionsIT {
    /**
     * BUG-5 (upstream/UpstreamClient.send, Helidon WebClient pool): when the upstream closes the connection before
     * sending headers, the proxy's side of that connection is never closed: it stays in CLOSE_WAIT (an open file
     * descriptor) in the connection pool. The soak shows it growing with each such fault (26 after 156 faults in
     * 210 s). Fix: close the connection when {@code submit} fails (e.g. send {@code Connection: close} / drop it
     * from the pool on a read failure), or release dead pooled connections.
     */
    @Test
    void upstreamClosingBeforeHeadersLeavesNoHalfClosedConnection() {
        int before = Rig.closeWait(sim.port());
        for (int i = 0; i < 8; i++) {
            post("gpt-4o-mini", false, "x-sim-fault", "disconnect-before-headers");
        }
        Rig.pause(1500);
        org.junit.jupiter.api.Assertions.assertEquals(before, Rig.closeWait(sim.port()),
                "sockets to the upstream left in CLOSE_WAIT");
    }

}
