package com.aoaigw.caddy;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import com.aoaigw.config.TlsReport;

/**
 * Decides the reported TLS state of one domain from the stored certificate and the log. Pure.
 *
 * <p>The rules, in order:
 * <ol>
 *     <li>Caddy disabled: {@code disabled}.</li>
 *     <li>The log's last word on the domain is a failure: {@code error}, with the error and the next retry (and the
 *     stored certificate's dates, if one is still served).</li>
 *     <li>A stored certificate that has expired: {@code error}.</li>
 *     <li>A certificate from Caddy's internal CA: {@code valid} while it has not expired. Internal leaves live 12 h
 *     and Caddy renews them on its own at two thirds of their life, so the 14-day rule would report every
 *     internal certificate as {@code expiring}, forever, with nothing for anyone to do.</li>
 *     <li>Any other certificate: {@code expiring} when it ends in under 14 days (Caddy renews ACME certificates 30
 *     days ahead, so reaching 14 days means renewal keeps failing), else {@code valid}.</li>
 *     <li>No certificate, and the log says Caddy is obtaining one: {@code obtaining}.</li>
 *     <li>Otherwise {@code pending}: Caddy has not started on this domain yet.</li>
 * </ol>
 */
public final class TlsStateResolver {
    /** Under this much remaining validity an ACME certificate is {@code expiring}. */
    public static final Duration EXPIRING = Duration.ofDays(14);

    /** A resolver; it holds no state. */
    public TlsStateResolver() {
    }

    /**
     * @param domain   the domain
     * @param enabled  whether Caddy is enabled
     * @param internal whether the certificate comes from Caddy's internal CA
     * @param cert     the stored certificate
     * @param log      what the log said last about the domain
     * @param now      the current time
     * @return the domain's state
     */
    public TlsReport.Certificate resolve(String domain, boolean enabled, boolean internal,
                                         Optional<CertificateInspector.CertInfo> cert,
                                         Optional<CaddyLogTracker.DomainLog> log, Instant now) {
        String issuer = cert.map(CertificateInspector.CertInfo::issuer).orElse(null);
        Instant notBefore = cert.map(CertificateInspector.CertInfo::notBefore).orElse(null);
        Instant notAfter = cert.map(CertificateInspector.CertInfo::notAfter).orElse(null);
        if (!enabled) {
            return new TlsReport.Certificate(domain, "disabled", issuer, notBefore, notAfter, null, null);
        }
        String lastError = log.map(CaddyLogTracker.DomainLog::lastError).orElse(null);
        Instant nextRetry = log.map(CaddyLogTracker.DomainLog::nextRetry).orElse(null);
        if (log.isPresent() && log.get().phase() == CaddyLogTracker.Phase.FAILED) {
            return new TlsReport.Certificate(domain, "error", issuer, notBefore, notAfter, lastError, nextRetry);
        }
        if (notAfter != null) {
            String state;
            if (!notAfter.isAfter(now)) {
                state = "error";
                lastError = lastError != null ? lastError : "the certificate expired at " + notAfter;
            } else if (internal) {
                state = "valid";
            } else {
                state = notAfter.isBefore(now.plus(EXPIRING)) ? "expiring" : "valid";
            }
            return new TlsReport.Certificate(domain, state, issuer, notBefore, notAfter, lastError, nextRetry);
        }
        if (log.isPresent() && log.get().phase() == CaddyLogTracker.Phase.OBTAINING) {
            return new TlsReport.Certificate(domain, "obtaining", null, null, null, lastError, nextRetry);
        }
        return new TlsReport.Certificate(domain, "pending", null, null, null, lastError, nextRetry);
    }
}
