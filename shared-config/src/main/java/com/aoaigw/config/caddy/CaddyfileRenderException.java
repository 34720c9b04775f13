package com.aoaigw.config.caddy;

/** A {@code server.caddy} value cannot be rendered into a Caddyfile; the message names the field and the fix. */
public final class CaddyfileRenderException extends RuntimeException {
    /**
     * @param message what is wrong and how to fix it
     */
    public CaddyfileRenderException(String message) {
        super(message);
    }
}
