package com.aoaigw.proxy.admin;

import com.aoaigw.config.GatewayConfig;

/**
 * Renders the Caddyfile a config would produce, for the admin page's preview. Pure: no I/O. The default,
 * {@link RendererCaddyfilePreview}, uses the renderer caddy-manager uses (it lives in shared-config).
 */
@FunctionalInterface
public interface CaddyfilePreview {
    /**
     * @param config a validated config
     * @return the Caddyfile text
     */
    String render(GatewayConfig config);
}
