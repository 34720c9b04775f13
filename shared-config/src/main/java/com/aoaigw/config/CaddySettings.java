package com.aoaigw.config;

/**
 * The {@code server.caddy} block: the HTTPS front door that caddy-manager renders, validates and loads.
 *
 * @param enabled      run Caddy; when true, {@code domain} is required (and {@code email} for ACME); default false
 * @param domain       the site host name
 * @param email        the ACME account email
 * @param httpsPort    HTTPS listen port; default 443
 * @param httpPort     HTTP port for the HTTP to HTTPS redirect and the ACME HTTP challenge; default 80
 * @param upstreamHost where Caddy reaches the proxy; default {@code 127.0.0.1}
 * @param upstreamPort where Caddy reaches the proxy; default 3000
 * @param ca           {@code acme} (default, Let's Encrypt), {@code acme-staging}, or {@code internal} (a local CA)
 * @param adminAddress Caddy's admin API address, rendered into every config; default {@code 127.0.0.1:2019}
 * @param transport    reverse-proxy transport timeouts
 */
public record CaddySettings(Boolean enabled,
                            String domain,
                            String email,
                            Integer httpsPort,
                            Integer httpPort,
                            String upstreamHost,
                            Integer upstreamPort,
                            String ca,
                            String adminAddress,
                            CaddyTransport transport) {
    /** Fills defaults for missing values. */
    public CaddySettings {
        enabled = Defaults.or(enabled, false);
        domain = Defaults.str(domain, "");
        email = Defaults.str(email, "");
        httpsPort = Defaults.or(httpsPort, 443);
        httpPort = Defaults.or(httpPort, 80);
        upstreamHost = Defaults.str(upstreamHost, "127.0.0.1");
        upstreamPort = Defaults.or(upstreamPort, 3000);
        ca = Defaults.str(ca, "acme");
        adminAddress = Defaults.str(adminAddress, "127.0.0.1:2019");
        transport = Defaults.or(transport, CaddyTransport.defaults());
    }

    /** @return the defaults */
    public static CaddySettings defaults() {
        return new CaddySettings(null, null, null, null, null, null, null, null, null, null);
    }
}
