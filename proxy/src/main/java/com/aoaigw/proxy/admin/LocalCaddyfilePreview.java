package com.aoaigw.proxy.admin;

import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.CaddyTransport;
import com.aoaigw.config.GatewayConfig;

/**
 * A small local rendering of the Caddyfile for the preview, following the rules in the Caddy reference: the same
 * private {@code admin} address in every config, HTTP/1 and HTTP/2 only (no UDP for HTTP/3), an explicit HTTP port
 * for the ACME challenge and redirect, {@code flush_interval -1} for SSE, and transport timeouts in whole seconds
 * rounded up. caddy-manager's renderer is authoritative; the preview says so in its first line.
 */
public final class LocalCaddyfilePreview implements CaddyfilePreview {
    private static final String STAGING = "https://acme-staging-v02.api.letsencrypt.org/directory";

    @Override
    public String render(GatewayConfig config) {
        CaddySettings c = config.server().caddy();
        StringBuilder sb = new StringBuilder();
        sb.append("# Preview rendered by the proxy; caddy-manager renders the file Caddy loads.\n");
        if (!c.enabled()) {
            sb.append("# server.caddy.enabled is false: caddy-manager stops Caddy and loads nothing.\n");
            return sb.toString();
        }
        sb.append("{\n");
        sb.append("\tadmin ").append(c.adminAddress()).append('\n');
        if (!c.email().isBlank()) {
            sb.append("\temail ").append(c.email()).append('\n');
        }
        sb.append("\thttp_port ").append(c.httpPort()).append('\n');
        sb.append("\thttps_port ").append(c.httpsPort()).append('\n');
        switch (c.ca()) {
            case "internal" -> sb.append("\tlocal_certs\n\tskip_install_trust\n");
            case "acme-staging" -> sb.append("\tacme_ca ").append(STAGING).append('\n');
            default -> {
                // Let's Encrypt production is Caddy's default issuer
            }
        }
        sb.append("\tservers {\n\t\tprotocols h1 h2\n\t}\n");
        sb.append("}\n\n");
        String domain = c.domain().isBlank() ? "localhost" : c.domain();
        sb.append(domain).append(" {\n");
        if ("internal".equals(c.ca())) {
            sb.append("\ttls internal\n");
        }
        CaddyTransport t = c.transport();
        sb.append("\treverse_proxy ").append(c.upstreamHost()).append(':').append(c.upstreamPort()).append(" {\n");
        sb.append("\t\tflush_interval -1\n");
        sb.append("\t\ttransport http {\n");
        sb.append("\t\t\tdial_timeout ").append(seconds(t.dialTimeoutMs())).append("s\n");
        sb.append("\t\t\tresponse_header_timeout ").append(seconds(t.responseHeaderTimeoutMs())).append("s\n");
        sb.append("\t\t\tkeepalive ").append(seconds(t.keepAliveTimeoutMs())).append("s\n");
        sb.append("\t\t}\n\t}\n}\n");
        return sb.toString();
    }

    static long seconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }
}
