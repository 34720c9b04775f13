package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.aoaigw.config.TlsReport;

/** The last TLS report caddy-manager sent, with the time it arrived (the proxy's clock, not the reporter's). */
public final class TlsReportHolder {
    private final AtomicReference<Received> last = new AtomicReference<>();

    /**
     * A report and its arrival.
     *
     * @param report     the report
     * @param receivedAt when it arrived
     */
    public record Received(TlsReport report, Instant receivedAt) {
    }

    /**
     * @param report     a new report
     * @param receivedAt now
     */
    public void set(TlsReport report, Instant receivedAt) {
        last.set(new Received(report, receivedAt));
    }

    /** @return the last report, if any arrived */
    public Optional<Received> last() {
        return Optional.ofNullable(last.get());
    }
}
