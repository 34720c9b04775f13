package com.aoaigw.proxy.admin;

import java.util.regex.Pattern;

import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.CaddyTransport;
import com.aoaigw.config.GatewayConfig;

/**
 * The proxy's own rendering of the Caddyfile for the admin page's preview, following the same choices as
 * caddy-manager's renderer: the same private {@code admin} address in every config, an explicit HTTP port (redirect
 * and ACME HTTP challenge), HTTP/1 and HTTP/2 only (no UDP for HTTP/3), an active health check on {@code /healthz},
 * no upstream compression, and transport timeouts in whole seconds rounded up. Values that would change the file's
 * structure are refused. Process-level inputs (storage root, bind address) are not known here and are left out;
 * the first line says so. caddy-manager's file is authoritative.
 */
public final class LocalCaddyfilePreview implements CaddyfilePreview {
    private static final Pattern UNSAFE = Pattern.compile("[\\s\"'`{}#\\\\]");
    private static final String LE = "https://acme-v02.api.letsencrypt.org/directory";
    private static final String LE_STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

    /** A value that cannot be rendered; its field is the JSON path. */
    public static final class PreviewException extends RuntimeException {
        private final String path;

        PreviewException(String path, String message) {
            super(message);
            this.path = path;
        }

        /** @return the JSON path of the field at fault */
        public String path() {
            return path;
        }
    }

    @Override
    public String render(GatewayConfig config) {
        CaddySettings c = config.server().caddy();
        StringBuilder sb = new StringBuilder();
        sb.append("# Preview rendered by the proxy (storage and bind address come from caddy-manager's process).\n");
        if (!c.enabled()) {
            sb.append("# server.caddy.enabled is false: caddy-manager stops Caddy and removes its Caddyfile.\n");
            return sb.toString();
        }
        String domain = safe("server.caddy.domain", c.domain());
        if (domain.isEmpty()) {
            throw new PreviewException("server.caddy.domain", "the domain is empty; set the host name Caddy serves");
        }
        String ca = c.ca().trim();
        if (!ca.equals("acme") && !ca.equals("acme-staging") && !ca.equals("internal")) {
            throw new PreviewException("server.caddy.ca", "use acme, acme-staging or internal, not '" + ca + "'");
        }
        sb.append("{\n");
        line(sb, 1, "admin " + safe("server.caddy.adminAddress", c.adminAddress()));
        line(sb, 1, "http_port " + port("server.caddy.httpPort", c.httpPort()));
        line(sb, 1, "https_port " + port("server.caddy.httpsPort", c.httpsPort()));
        String email = safe("server.caddy.email", c.email());
        if (!email.isEmpty()) {
            line(sb, 1, "email " + email);
        }
        switch (ca) {
            case "acme" -> line(sb, 1, "acme_ca " + LE);
            case "acme-staging" -> line(sb, 1, "acme_ca " + LE_STAGING);
            default -> line(sb, 1, "local_certs");
        }
        line(sb, 1, "log {");
        line(sb, 2, "output stderr");
        line(sb, 2, "format json");
        line(sb, 2, "level INFO");
        line(sb, 1, "}");
        line(sb, 1, "servers {");
        line(sb, 2, "protocols h1 h2");
        line(sb, 1, "}");
        sb.append("}\n\n");
        CaddyTransport t = c.transport();
        line(sb, 0, domain + ":" + port("server.caddy.httpsPort", c.httpsPort()) + " {");
        if (ca.equals("internal")) {
            line(sb, 1, "tls internal");
        }
        line(sb, 1, "reverse_proxy " + safe("server.caddy.upstreamHost", c.upstreamHost()) + ":"
                + port("server.caddy.upstreamPort", c.upstreamPort()) + " {");
        line(sb, 2, "health_uri /healthz");
        line(sb, 2, "health_interval 30s");
        line(sb, 2, "transport http {");
        line(sb, 3, "dial_timeout " + seconds(t.dialTimeoutMs()) + "s");
        line(sb, 3, "response_header_timeout " + seconds(t.responseHeaderTimeoutMs()) + "s");
        line(sb, 3, "keepalive " + seconds(t.keepAliveTimeoutMs()) + "s");
        line(sb, 3, "compression off");
        line(sb, 2, "}");
        line(sb, 1, "}");
        line(sb, 0, "}");
        return sb.toString();
    }

    private static void line(StringBuilder sb, int depth, String text) {
        sb.append("\t".repeat(depth)).append(text).append('\n');
    }

    private static String safe(String path, String value) {
        String v = value == null ? "" : value.trim();
        if (UNSAFE.matcher(v).find()) {
            throw new PreviewException(path, "'" + v.replaceAll("\\p{Cntrl}", "?")
                    + "' must not contain spaces, quotes, braces, '#' or backslashes");
        }
        return v;
    }

    private static int port(String path, int port) {
        if (port < 1 || port > 65535) {
            throw new PreviewException(path, port + " is not a port; use 1-65535");
        }
        return port;
    }

    static long seconds(long ms) {
        return ms <= 0 ? 1 : Math.max(1, (ms + 999) / 1000);
    }
}
