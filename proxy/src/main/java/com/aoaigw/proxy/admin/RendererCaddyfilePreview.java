package com.aoaigw.proxy.admin;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.caddy.CaddyfileRenderer;
import com.aoaigw.config.caddy.RenderOptions;

/**
 * The admin page's Caddyfile preview, rendered by the same {@link CaddyfileRenderer} caddy-manager uses, so the
 * preview is exactly what caddy-manager would load. Process-level inputs the proxy does not know (caddy-manager's
 * storage directory) are shown as a placeholder.
 */
public final class RendererCaddyfilePreview implements CaddyfilePreview {
    /** Stands in for caddy-manager's {@code CADDY_DATA_DIR}, which only caddy-manager knows. */
    static final String STORAGE_PLACEHOLDER = "<CADDY_DATA_DIR>";

    private final CaddyfileRenderer renderer = new CaddyfileRenderer();
    private final RenderOptions options = new RenderOptions(STORAGE_PLACEHOLDER, null, true, null, null);

    @Override
    public String render(GatewayConfig config) {
        return renderer.render(config.server().caddy(), options)
                .orElse("# Caddy is disabled (server.caddy.enabled is false): caddy-manager stops Caddy and keeps no"
                        + " Caddyfile.\n");
    }
}
