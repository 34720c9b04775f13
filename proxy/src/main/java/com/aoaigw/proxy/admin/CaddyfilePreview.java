package com.aoaigw.proxy.admin;

import com.aoaigw.config.GatewayConfig;

/**
 * Renders the Caddyfile a config would produce, for the admin page's preview. Pure: no I/O. The proxy does not
 * depend on caddy-manager, so the default is {@link LocalCaddyfilePreview}; caddy-manager's
 * {@code CaddyfileRenderer} can be plugged in here once it lives in shared-config.
 */
@FunctionalInterface
public interface CaddyfilePreview {
    /**
     * @param config a validated config
     * @return the Caddyfile text
     */
    String render(GatewayConfig config);
}
