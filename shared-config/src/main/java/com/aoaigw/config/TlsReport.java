package com.aoaigw.config;

import java.time.Instant;
import java.util.List;

/**
 * What caddy-manager reports to the proxy ({@code POST /internal/caddy/report}, authenticated by
 * {@code CADDY_MANAGER_TOKEN}) on every change and every 30 s. JSON with camelCase keys; instants as ISO-8601.
 *
 * @param reportedAt   when the report was made
 * @param enabled      whether {@code server.caddy.enabled} is true in the config caddy-manager applied
 * @param process      the Caddy process state
 * @param config       the outcome of the last config apply
 * @param certificates TLS state per domain
 */
public record TlsReport(Instant reportedAt,
                        boolean enabled,
                        ProcessState process,
                        ConfigState config,
                        List<Certificate> certificates) {
    /** Copies the list. */
    public TlsReport {
        certificates = certificates == null ? List.of() : List.copyOf(certificates);
    }

    /**
     * The Caddy process.
     *
     * @param state     {@code stopped}, {@code starting}, {@code running}, {@code restarting} or {@code failed}
     * @param since     when it entered that state
     * @param pid       the process id, or null
     * @param restarts  restarts since caddy-manager started
     * @param lastError the last failure, or null
     */
    public record ProcessState(String state, Instant since, Long pid, int restarts, String lastError) {
    }

    /**
     * The last config apply.
     *
     * @param state       {@code applied}, {@code refused} (the last good config keeps serving) or {@code disabled}
     * @param appliedEtag the etag of the config document in effect
     * @param appliedAt   when it was loaded into Caddy
     * @param error       why the newest document was refused, or null
     * @param caddyfile   the Caddyfile in effect (no secrets in it)
     */
    public record ConfigState(String state, String appliedEtag, Instant appliedAt, String error, String caddyfile) {
    }

    /**
     * TLS state of one domain.
     *
     * @param domain    the domain
     * @param state     {@code disabled}, {@code pending}, {@code obtaining}, {@code valid}, {@code expiring} (under 14
     *                  days) or {@code error}
     * @param issuer    the certificate's issuer, or null
     * @param notBefore start of validity, or null
     * @param notAfter  end of validity, or null
     * @param lastError the last ACME or TLS error, or null
     * @param nextRetry when Caddy retries after an error, or null
     */
    public record Certificate(String domain, String state, String issuer, Instant notBefore, Instant notAfter,
                              String lastError, Instant nextRetry) {
    }
}
