package com.aoaigw.config;

import java.util.List;

/**
 * The {@code server} block.
 *
 * @param host              listen address of the proxy; default {@code 0.0.0.0}
 * @param port              listen port of the proxy; default {@code 3000} (the environment variable {@code PORT} overrides it)
 * @param adminPath         kept for compatibility with the original; the admin area is always served at {@code /admin}
 *                          and the only accepted value is {@code /admin} (the original's defect D1)
 * @param adminAuth         admin credentials
 * @param adminAllowedCidrs client address ranges allowed to reach the admin area; empty means any
 * @param caddy             the Caddy front door rendered by caddy-manager
 * @param imageCompression  accepted for compatibility; inline images are never re-encoded unless enabled (default off)
 * @param upstream          timeouts, retries and connection pool towards Azure
 * @param sharedState       where the counters of limits, quotas and budgets live (this process, or Redis)
 */
public record ServerSettings(String host,
                             Integer port,
                             String adminPath,
                             AdminAuth adminAuth,
                             List<String> adminAllowedCidrs,
                             CaddySettings caddy,
                             ImageCompression imageCompression,
                             UpstreamSettings upstream,
                             SharedStateSettings sharedState) {
    /** Fills defaults for missing values. */
    public ServerSettings {
        host = Defaults.str(host, "0.0.0.0");
        port = Defaults.or(port, 3000);
        adminPath = Defaults.str(adminPath, "/admin");
        adminAuth = Defaults.or(adminAuth, AdminAuth.defaults());
        adminAllowedCidrs = Defaults.list(adminAllowedCidrs);
        caddy = Defaults.or(caddy, CaddySettings.defaults());
        imageCompression = Defaults.or(imageCompression, ImageCompression.defaults());
        upstream = Defaults.or(upstream, UpstreamSettings.defaults());
        sharedState = Defaults.or(sharedState, SharedStateSettings.defaults());
    }

    /** @return the defaults */
    public static ServerSettings defaults() {
        return new ServerSettings(null, null, null, null, null, null, null, null, null);
    }
}
