package com.aoaigw.proxy.translate;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Shrinks the inline images of an upstream request body ({@code server.imageCompression}).
 *
 * <p>Every {@code image_url} data URL (a string, or an object's {@code url}; chat's {@code image_url} parts and the
 * Responses API's {@code input_image} items both use that key) and every {@code image_base64} string, at any depth,
 * whose longest side is above {@code maxSize} is scaled down to fit (never up) and re-encoded. The rules, each a
 * defect of the original product that this class must not repeat:
 * <ul>
 *   <li>an image with a transparent pixel keeps its alpha: PNG, or WebP when {@code format} is {@code webp}; never
 *   JPEG;</li>
 *   <li>the result replaces the original only when it is smaller, so an image never grows;</li>
 *   <li>a data URL's MIME type names the new bytes; an {@code image_base64} value has no MIME type to say so, so it
 *   keeps its own format (PNG stays PNG, JPEG stays JPEG, WebP stays WebP);</li>
 *   <li>the same image twice in one body is processed once;</li>
 *   <li>anything that cannot be read (corrupt base64, an unknown format, a header announcing more than
 *   {@link #MAX_PIXELS} pixels: a decompression bomb) is left exactly as it was and never fails the request;</li>
 *   <li>remote {@code http(s)} URLs are never fetched.</li>
 * </ul>
 * The body is parsed only when its bytes mention an inline image at all, so other requests cost one byte scan.
 */
public final class InlineImageCompressor {
    private static final System.Logger LOG = System.getLogger(InlineImageCompressor.class.getName());
    /** Images announcing more pixels than this are left alone unread (a 8000 x 8000 photo is 64 MP). */
    public static final long MAX_PIXELS = 64L * 1024 * 1024;
    /** Images announcing a side longer than this are left alone unread. */
    public static final int MAX_SIDE = 16_384;
    private static final byte[] DATA_IMAGE = "data:image/".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] IMAGE_BASE64 = "\"image_base64\"".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    static {
        // no temporary files for image streams: everything here is already in memory
        ImageIO.setUseCache(false);
    }

    private final ObjectMapper mapper;

    /**
     * The settings of one compression run.
     *
     * @param maxSize longest side in pixels after compression
     * @param quality lossy encoder quality in (0, 1]
     * @param webp    encode as WebP instead of JPEG (opaque) / PNG (transparent)
     */
    public record Settings(int maxSize, float quality, boolean webp) {
        /**
         * @param c the config block
         * @return its settings
         */
        public static Settings of(com.aoaigw.config.ImageCompression c) {
            return new Settings(c.maxSize(), c.quality().floatValue(), "webp".equals(c.format()));
        }
    }

    /**
     * What one run did.
     *
     * @param body       the body to send (the input array itself when nothing changed)
     * @param images     inline images found (distinct values)
     * @param compressed images replaced by a smaller encoding
     * @param skipped    images left as they were because they could not be read safely
     */
    public record Result(byte[] body, int images, int compressed, int skipped) {
    }

    /** @param mapper the JSON mapper */
    public InlineImageCompressor(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Compresses the inline images of a JSON request body.
     *
     * @param body     the upstream request body
     * @param settings the settings
     * @return the result; {@code result.body() == body} when nothing was replaced
     */
    public Result compress(byte[] body, Settings settings) {
        if (indexOf(body, DATA_IMAGE) < 0 && indexOf(body, IMAGE_BASE64) < 0) {
            return new Result(body, 0, 0, 0);
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(body);
        } catch (IOException e) {
            return new Result(body, 0, 0, 0); // the caller's JSON checks own this case
        }
        Run run = new Run(settings);
        walk(tree, run);
        if (run.compressed == 0) {
            run.logSkips();
            return new Result(body, run.seen.size(), 0, run.skipped);
        }
        try {
            byte[] out = mapper.writeValueAsBytes(tree);
            run.logSkips();
            return new Result(out, run.seen.size(), run.compressed, run.skipped);
        } catch (IOException e) {
            return new Result(body, run.seen.size(), 0, run.skipped);
        }
    }

    private void walk(JsonNode node, Run run) {
        if (node instanceof ObjectNode obj) {
            Iterator<Map.Entry<String, JsonNode>> fields = obj.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                JsonNode v = f.getValue();
                if ("image_url".equals(f.getKey()) && v.isTextual()) {
                    String out = run.dataUrl(v.textValue());
                    if (out != null) {
                        f.setValue(TextNode.valueOf(out));
                    }
                } else if ("image_url".equals(f.getKey()) && v instanceof ObjectNode o && o.path("url").isTextual()) {
                    String out = run.dataUrl(o.get("url").textValue());
                    if (out != null) {
                        o.put("url", out);
                    }
                    walk(o, run);
                } else if ("image_base64".equals(f.getKey()) && v.isTextual()) {
                    String out = run.bareBase64(v.textValue());
                    if (out != null) {
                        f.setValue(TextNode.valueOf(out));
                    }
                } else {
                    walk(v, run);
                }
            }
        } else if (node instanceof ArrayNode arr) {
            for (JsonNode item : arr) {
                walk(item, run);
            }
        }
    }

    /** One body's work: the images seen so far (each value is processed once) and what to log. */
    private static final class Run {
        private final Settings settings;
        /** original value to its replacement, or to null when it stays as it was */
        private final Map<String, String> seen = new HashMap<>();
        private int compressed;
        private int skipped;
        private String firstSkipReason;

        Run(Settings settings) {
            this.settings = settings;
        }

        /** @return the replacement data URL, or null to keep the value */
        String dataUrl(String value) {
            if (!value.regionMatches(true, 0, "data:image/", 0, 11)) {
                return null; // a remote URL or a file id: never fetched
            }
            if (seen.containsKey(value)) {
                return seen.get(value);
            }
            String out = null;
            int comma = value.indexOf(',');
            int meta = value.indexOf(';');
            if (comma > 0 && value.regionMatches(true, comma - 7, ";base64", 0, 7)) {
                byte[] in = decode(value.substring(comma + 1));
                String mime = value.substring(5, meta > 0 && meta < comma ? meta : comma).toLowerCase(Locale.ROOT);
                Encoded e = in == null ? null : shrink(in, null, mime);
                if (e != null) {
                    out = "data:" + e.mime() + ";base64," + Base64.getEncoder().encodeToString(e.bytes());
                }
            } else {
                skip("a data URL that is not base64");
            }
            record(value, out);
            return out;
        }

        /** @return the replacement base64 text (same image format), or null to keep the value */
        String bareBase64(String value) {
            if (seen.containsKey(value)) {
                return seen.get(value);
            }
            String out = null;
            byte[] in = decode(value);
            if (in != null) {
                Encoded e = shrink(in, Format.SAME, null);
                if (e != null) {
                    out = Base64.getEncoder().encodeToString(e.bytes());
                }
            }
            record(value, out);
            return out;
        }

        private void record(String value, String out) {
            seen.put(value, out);
            if (out != null) {
                compressed++;
            }
        }

        private byte[] decode(String b64) {
            try {
                return Base64.getMimeDecoder().decode(b64);
            } catch (IllegalArgumentException e) {
                skip("corrupt base64");
                return null;
            }
        }

        private void skip(String reason) {
            skipped++;
            if (firstSkipReason == null) {
                firstSkipReason = reason;
            }
        }

        void logSkips() {
            if (skipped > 0) {
                LOG.log(System.Logger.Level.INFO, "image compression left {0} inline image(s) as they were ({1})",
                        skipped, firstSkipReason);
            }
        }

        /**
         * Scales one image down and re-encodes it.
         *
         * @param in     the image file's bytes
         * @param same   {@link Format#SAME} to keep the input's format, or null to follow the settings
         * @param mime   the data URL's MIME type (informational)
         * @return the smaller encoding, or null to keep the original
         */
        private Encoded shrink(byte[] in, Format same, String mime) {
            try (ImageInputStream iis = ImageIO.createImageInputStream(new ByteArrayInputStream(in))) {
                Iterator<ImageReader> readers = iis == null ? null : ImageIO.getImageReaders(iis);
                if (readers == null || !readers.hasNext()) {
                    skip("an image format that cannot be read" + (mime == null ? "" : " (" + mime + ")"));
                    return null;
                }
                ImageReader reader = readers.next();
                try {
                    reader.setInput(iis, true, true);
                    int w = reader.getWidth(0);
                    int h = reader.getHeight(0);
                    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE || (long) w * h > MAX_PIXELS) {
                        skip("an image announcing " + w + "x" + h + " pixels, above the decoding limit");
                        return null;
                    }
                    if (Math.max(w, h) <= settings.maxSize()) {
                        return null; // small enough: never re-encoded, never enlarged
                    }
                    String inFormat = reader.getFormatName().toLowerCase(Locale.ROOT);
                    ImageReadParam param = reader.getDefaultReadParam();
                    // decode at most ~2x the target size: the final smooth step needs no more detail than that
                    int sub = Math.max(1, Math.max(w, h) / (settings.maxSize() * 2));
                    if (sub > 1) {
                        param.setSourceSubsampling(sub, sub, 0, 0);
                    }
                    BufferedImage img = reader.read(0, param);
                    boolean alpha = hasTransparentPixel(img);
                    BufferedImage scaled = scale(img, settings.maxSize(), w, h, alpha);
                    Format target = same == Format.SAME ? Format.of(inFormat) : Format.choose(alpha, settings.webp());
                    if (target == null || (target == Format.JPEG && alpha)) {
                        skip("an image_base64 " + inFormat + " image (its format cannot be kept)");
                        return null;
                    }
                    byte[] out = encode(scaled, target, settings.quality());
                    if (out == null || out.length >= in.length) {
                        return null; // never grow an image
                    }
                    return new Encoded(out, target.mime);
                } finally {
                    reader.dispose();
                }
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                skip("an image that could not be decoded: " + e.getClass().getSimpleName());
                return null;
            }
        }
    }

    private record Encoded(byte[] bytes, String mime) {
    }

    /** The encodings this class writes. */
    private enum Format {
        JPEG("jpeg", "image/jpeg"), PNG("png", "image/png"), WEBP("webp", "image/webp"), SAME(null, null);

        private final String writer;
        private final String mime;

        Format(String writer, String mime) {
            this.writer = writer;
            this.mime = mime;
        }

        static Format choose(boolean alpha, boolean webp) {
            if (webp) {
                return WEBP;
            }
            return alpha ? PNG : JPEG;
        }

        static Format of(String readerFormat) {
            return switch (readerFormat) {
                case "jpeg", "jpg" -> JPEG;
                case "png" -> PNG;
                case "webp" -> WEBP;
                default -> null;
            };
        }
    }

    static boolean hasTransparentPixel(BufferedImage img) {
        if (!img.getColorModel().hasAlpha()) {
            return false;
        }
        int w = img.getWidth();
        int[] row = new int[w];
        for (int y = 0; y < img.getHeight(); y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int argb : row) {
                if ((argb >>> 24) != 0xFF) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Scales to fit {@code maxSize} on the longest side of the ORIGINAL size, halving in steps for quality. */
    private static BufferedImage scale(BufferedImage img, int maxSize, int origW, int origH, boolean alpha) {
        double f = (double) maxSize / Math.max(origW, origH);
        int tw = Math.max(1, (int) Math.round(origW * f));
        int th = Math.max(1, (int) Math.round(origH * f));
        int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
        BufferedImage cur = img;
        int cw = img.getWidth();
        int ch = img.getHeight();
        do {
            cw = Math.max(tw, cw / 2 >= tw ? cw / 2 : tw);
            ch = Math.max(th, ch / 2 >= th ? ch / 2 : th);
            BufferedImage next = new BufferedImage(cw, ch, type);
            Graphics2D g = next.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
                g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
                if (!alpha) {
                    g.setColor(java.awt.Color.WHITE); // a transparent-capable source drawn opaque gets white, not black
                    g.fillRect(0, 0, cw, ch);
                }
                g.drawImage(cur, 0, 0, cw, ch, null);
            } finally {
                g.dispose();
            }
            cur = next;
        } while (cw != tw || ch != th);
        return cur;
    }

    private static byte[] encode(BufferedImage img, Format format, float quality) throws IOException {
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format.writer);
        if (!writers.hasNext()) {
            return null;
        }
        ImageWriter writer = writers.next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam p = writer.getDefaultWriteParam();
            if (format != Format.PNG && p.canWriteCompressed()) {
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                String[] types = p.getCompressionTypes();
                if (types != null && types.length > 0) {
                    p.setCompressionType(lossyType(types));
                }
                p.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static String lossyType(String[] types) {
        for (String t : types) {
            if (t.toLowerCase(Locale.ROOT).contains("lossy") || t.equalsIgnoreCase("JPEG")) {
                return t;
            }
        }
        return types[0];
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0, last = hay.length - needle.length; i <= last; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
