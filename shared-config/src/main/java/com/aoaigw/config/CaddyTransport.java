package com.aoaigw.config;

/**
 * The {@code server.caddy.transport} block, in milliseconds (rendered in whole seconds, rounded up).
 *
 * @param dialTimeoutMs           Caddy's dial timeout to the proxy; default 5000; keep it aligned with
 *                                {@code server.upstream.connectTimeoutMs}
 * @param responseHeaderTimeoutMs Caddy's limit until the proxy sends response headers; default 45000; keep it at or
 *                                above {@code server.upstream.firstByteTimeoutMs} or long non-streaming calls are cut
 * @param keepAliveTimeoutMs      idle keep-alive of Caddy's connections to the proxy; default 120000
 */
public record CaddyTransport(Long dialTimeoutMs, Long responseHeaderTimeoutMs, Long keepAliveTimeoutMs) {
    /** Fills defaults for missing values. */
    public CaddyTransport {
        dialTimeoutMs = Defaults.or(dialTimeoutMs, 5000L);
        responseHeaderTimeoutMs = Defaults.or(responseHeaderTimeoutMs, 45000L);
        keepAliveTimeoutMs = Defaults.or(keepAliveTimeoutMs, 120000L);
    }

    /** @return the defaults */
    public static CaddyTransport defaults() {
        return new CaddyTransport(null, null, null);
    }
}
