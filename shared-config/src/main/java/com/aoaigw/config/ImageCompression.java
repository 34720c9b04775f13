package com.aoaigw.config;

/**
 * The {@code server.imageCompression} block, kept so original configs load. Off by default (the original
 * re-encoded every image, enlarging some and dropping alpha).
 *
 * @param enabled re-encode inline images; default false
 * @param maxSize longest side in pixels; default 1600
 * @param quality encoder quality in (0, 1]; default 0.85
 * @param format  {@code jpeg} or {@code webp}; default {@code jpeg}
 */
public record ImageCompression(Boolean enabled, Integer maxSize, Double quality, String format) {
    /** Fills defaults for missing values. */
    public ImageCompression {
        enabled = Defaults.or(enabled, false);
        maxSize = Defaults.or(maxSize, 1600);
        quality = Defaults.or(quality, 0.85);
        format = Defaults.str(format, "jpeg");
    }

    /** @return the defaults */
    public static ImageCompression defaults() {
        return new ImageCompression(null, null, null, null);
    }
}
