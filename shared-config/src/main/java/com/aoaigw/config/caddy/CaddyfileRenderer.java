package com.aoaigw.config.caddy;

import java.util.Optional;
import java.util.regex.Pattern;

import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.CaddyTransport;

/**
 * Renders {@code server.caddy} as a Caddyfile for Caddy 2.6.2. A pure function: the same input gives the same text,
 * byte for byte, which is what the golden tests pin down.
 *
 * <p>Choices and why:
 * <ul>
 *     <li>The global {@code admin} line is always rendered with the same address, so a {@code /load} never moves
 *     Caddy's admin listener (the admin-listener hazard, reference caddy.md 6.3).</li>
 *     <li>{@code http_port} is rendered too: port 80 carries the HTTP to HTTPS redirect and the ACME HTTP
 *     challenge. With an HTTPS port other than 443 the redirect is an explicit {@code http://} site (a 308 to the
 *     same host on the HTTPS port, path and query kept): Caddy's automatic one leaves the port out.</li>
 *     <li>{@code servers { protocols h1 h2 }}: no HTTP/3, because the container exposes TCP only.</li>
 *     <li>No {@code flush_interval -1}, on purpose. Caddy 2.6.2 flushes every write at once anyway for
 *     {@code text/event-stream} responses and for responses without a length (its {@code flushInterval} rule), so
 *     SSE events pass one by one. With {@code flush_interval -1}, though, it ties the upstream request to the
 *     config's lifetime ({@code ignoreClientGoneContext} on the handler's context), so every reload would cut every
 *     open stream; without it a stream opened before a reload completes on the old config (tested).</li>
 *     <li>{@code transport http { compression off }}: Go's transport would otherwise ask the proxy for gzip; on
 *     loopback that buys nothing, and a compressing proxy would buffer SSE events in its compressor.</li>
 *     <li>An active health check against the proxy's {@code /healthz}, so a dead proxy is reported by Caddy.</li>
 *     <li>JSON logs on stderr at INFO: that level carries the {@code tls.obtain} and {@code tls.cache} lines that
 *     caddy-manager reads for the certificate state.</li>
 *     <li>Timeouts are in milliseconds in the config and whole seconds here, rounded up, at least 1 (as the
 *     original did).</li>
 * </ul>
 * Values that would change the Caddyfile's structure (whitespace, quotes, braces, comments) are refused here, so a
 * config value can never inject directives; anything else Caddy dislikes is left for {@code caddy adapt} to refuse.
 */
public final class CaddyfileRenderer {
    /** The ACME directory of Let's Encrypt production ({@code ca: acme}). */
    public static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";
    /** The ACME directory of Let's Encrypt staging ({@code ca: acme-staging}). */
    public static final String LETS_ENCRYPT_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";
    /** The health endpoint of the proxy that Caddy checks actively. */
    public static final String HEALTH_URI = "/healthz";
    /** The HTTPS port a redirect may leave out of its URL. */
    public static final int DEFAULT_HTTPS_PORT = 443;

    private static final Pattern UNSAFE = Pattern.compile("[\\s\"'`{}#\\\\]");

    /** A renderer; it holds no state. */
    public CaddyfileRenderer() {
    }

    /**
     * @param caddy   the {@code server.caddy} block
     * @param options process-level inputs
     * @return the Caddyfile, or empty when Caddy is disabled (nothing is to run and no file is to exist)
     * @throws CaddyfileRenderException when a value cannot be rendered
     */
    public Optional<String> render(CaddySettings caddy, RenderOptions options) {
        if (!caddy.enabled()) {
            return Optional.empty();
        }
        String domain = token("server.caddy.domain", caddy.domain());
        if (domain.isEmpty()) {
            throw new CaddyfileRenderException("server.caddy.domain is empty; set the host name Caddy serves");
        }
        String admin = token("server.caddy.adminAddress", caddy.adminAddress());
        String email = token("server.caddy.email", caddy.email());
        String upstreamHost = token("server.caddy.upstreamHost", caddy.upstreamHost());
        String storage = token("storage root", options.storageRoot());
        String ca = caddy.ca().trim();
        CaKind kind = switch (ca) {
            case "acme" -> CaKind.ACME;
            case "acme-staging" -> CaKind.ACME_STAGING;
            case "internal" -> CaKind.INTERNAL;
            default -> throw new CaddyfileRenderException("server.caddy.ca is '" + ca
                    + "'; use acme, acme-staging or internal");
        };

        Lines out = new Lines();
        out.line(0, "{");
        out.line(1, "admin " + admin);
        out.line(1, "http_port " + port("server.caddy.httpPort", caddy.httpPort()));
        out.line(1, "https_port " + port("server.caddy.httpsPort", caddy.httpsPort()));
        if (options.defaultBind() != null) {
            out.line(1, "default_bind " + token("default bind", options.defaultBind()));
        }
        if (!email.isEmpty()) {
            out.line(1, "email " + email);
        }
        switch (kind) {
            case ACME -> out.line(1, "acme_ca " + acmeDirectory(options, LETS_ENCRYPT));
            case ACME_STAGING -> out.line(1, "acme_ca " + acmeDirectory(options, LETS_ENCRYPT_STAGING));
            case INTERNAL -> out.line(1, "local_certs");
        }
        if (options.skipInstallTrust()) {
            out.line(1, "skip_install_trust");
        }
        out.line(1, "storage file_system {");
        out.line(2, "root " + storage);
        out.line(1, "}");
        out.line(1, "log {");
        out.line(2, "output stderr");
        out.line(2, "format json");
        out.line(2, "level INFO");
        out.line(1, "}");
        out.line(1, "servers {");
        out.line(2, "protocols h1 h2");
        out.line(1, "}");
        out.line(0, "}");
        out.blank();

        CaddyTransport t = caddy.transport();
        out.line(0, domain + ":" + port("server.caddy.httpsPort", caddy.httpsPort()) + " {");
        if (kind == CaKind.INTERNAL) {
            out.line(1, "tls internal");
        }
        // /internal/* is caddy-manager's loopback channel (the TLS report): never reachable through the site
        out.line(1, "respond /internal* 404");
        out.line(1, "reverse_proxy " + upstreamHost + ":" + port("server.caddy.upstreamPort", caddy.upstreamPort())
                + " {");
        out.line(2, "health_uri " + HEALTH_URI);
        out.line(2, "health_interval " + token("health interval", options.healthInterval()));
        out.line(2, "transport http {");
        out.line(3, "dial_timeout " + seconds(t.dialTimeoutMs()) + "s");
        out.line(3, "response_header_timeout " + seconds(t.responseHeaderTimeoutMs()) + "s");
        out.line(3, "keepalive " + seconds(t.keepAliveTimeoutMs()) + "s");
        out.line(3, "compression off");
        out.line(2, "}");
        out.line(1, "}");
        out.line(0, "}");
        int httpsPort = port("server.caddy.httpsPort", caddy.httpsPort());
        if (httpsPort != DEFAULT_HTTPS_PORT) {
            // Caddy's automatic redirect drops a non-standard HTTPS port (it sends https://host/), so the redirect
            // is rendered explicitly; ACME HTTP challenges are still answered first on this port
            out.blank();
            out.line(0, "http://" + domain + ":" + port("server.caddy.httpPort", caddy.httpPort()) + " {");
            out.line(1, "redir https://{host}:" + httpsPort + "{uri} 308");
            out.line(0, "}");
        }
        return Optional.of(out.toString());
    }

    /**
     * Milliseconds to whole seconds, rounded up, at least 1 (the original's rule).
     *
     * @param ms milliseconds
     * @return seconds
     */
    public static long seconds(long ms) {
        if (ms <= 0) {
            return 1;
        }
        return Math.max(1, (ms + 999) / 1000);
    }

    /**
     * The ACME issuer's directory for a CA setting, taking the override of the options into account.
     *
     * @param ca      {@code acme}, {@code acme-staging} or {@code internal}
     * @param options process-level inputs
     * @return the directory URL, or null for {@code internal}
     */
    public static String directoryFor(String ca, RenderOptions options) {
        return switch (ca.trim()) {
            case "acme" -> acmeDirectory(options, LETS_ENCRYPT);
            case "acme-staging" -> acmeDirectory(options, LETS_ENCRYPT_STAGING);
            default -> null;
        };
    }

    private static String acmeDirectory(RenderOptions options, String fallback) {
        return options.acmeCaUrl() != null ? token("ACME directory", options.acmeCaUrl()) : fallback;
    }

    private static String token(String field, String value) {
        String v = value == null ? "" : value.trim();
        if (UNSAFE.matcher(v).find()) {
            throw new CaddyfileRenderException(field + " is '" + v.replaceAll("\\p{Cntrl}", "?")
                    + "'; it must not contain spaces, quotes, braces, '#' or backslashes");
        }
        return v;
    }

    private static int port(String field, int port) {
        if (port < 1 || port > 65535) {
            throw new CaddyfileRenderException(field + " is " + port + "; use a port between 1 and 65535");
        }
        return port;
    }

    private enum CaKind { ACME, ACME_STAGING, INTERNAL }

    /** Tab-indented lines, as {@code caddy fmt} writes them (so {@code caddy adapt} does not warn). */
    private static final class Lines {
        private final StringBuilder sb = new StringBuilder();

        void line(int depth, String text) {
            sb.append("\t".repeat(depth)).append(text).append('\n');
        }

        void blank() {
            sb.append('\n');
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
