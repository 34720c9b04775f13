package com.aoaigw.caddy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.aoaigw.config.TlsReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(5)
class TlsStateResolverTest {
    private static final Instant NOW = Instant.parse("2026-11-26T04:00:00Z");
    private final TlsStateResolver resolver = new TlsStateResolver();

    private static Optional<CertificateInspector.CertInfo> cert(Duration left) {
        return Optional.of(new CertificateInspector.CertInfo("k", "CN=Issuer", NOW.minus(Duration.ofDays(1)),
                NOW.plus(left)));
    }

    private static Optional<CaddyLogTracker.DomainLog> log(CaddyLogTracker.Phase phase) {
        return Optional.of(new CaddyLogTracker.DomainLog(phase, NOW, phase == CaddyLogTracker.Phase.FAILED ? "boom" : null,
                phase == CaddyLogTracker.Phase.FAILED ? NOW.plusSeconds(60) : null));
    }

    private String state(boolean enabled, boolean internal, Optional<CertificateInspector.CertInfo> cert,
                         Optional<CaddyLogTracker.DomainLog> log) {
        return resolver.resolve("d.example", enabled, internal, cert, log, NOW).state();
    }

    @Test
    void appliesTheRulesInOrder() {
        assertEquals("disabled", state(false, false, cert(Duration.ofDays(60)), Optional.empty()));
        assertEquals("pending", state(true, false, Optional.empty(), Optional.empty()));
        assertEquals("obtaining", state(true, false, Optional.empty(), log(CaddyLogTracker.Phase.OBTAINING)));
        assertEquals("error", state(true, false, Optional.empty(), log(CaddyLogTracker.Phase.FAILED)));
        assertEquals("valid", state(true, false, cert(Duration.ofDays(60)), Optional.empty()));
        assertEquals("expiring", state(true, false, cert(Duration.ofDays(13)), Optional.empty()));
        assertEquals("valid", state(true, false, cert(Duration.ofDays(15)), log(CaddyLogTracker.Phase.OBTAINING)));
        assertEquals("error", state(true, false, cert(Duration.ofDays(60)), log(CaddyLogTracker.Phase.FAILED)));
        assertEquals("error", state(true, false, cert(Duration.ofSeconds(-1)), Optional.empty()));
    }

    @Test
    void internalCertificatesAreValidDespiteTheirTwelveHourLife() {
        assertEquals("valid", state(true, true, cert(Duration.ofHours(12)), Optional.empty()));
        assertEquals("valid", state(true, true, cert(Duration.ofMinutes(5)), Optional.empty()));
        assertEquals("error", state(true, true, cert(Duration.ofSeconds(-1)), Optional.empty()));
    }

    @Test
    void anErrorCarriesTheRetryAndTheCertificate() {
        TlsReport.Certificate c = resolver.resolve("d.example", true, false, cert(Duration.ofDays(20)),
                log(CaddyLogTracker.Phase.FAILED), NOW);
        assertEquals("boom", c.lastError());
        assertEquals(NOW.plusSeconds(60), c.nextRetry());
        assertEquals(NOW.plus(Duration.ofDays(20)), c.notAfter());
        assertEquals("CN=Issuer", c.issuer());
    }
}
