package com.aoaigw.proxy.translate;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InlineImageCompressorTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final InlineImageCompressor.Settings JPEG = new InlineImageCompressor.Settings(1600, 0.85f, false);
    private static final InlineImageCompressor.Settings WEBP = new InlineImageCompressor.Settings(1600, 0.85f, true);
    private final InlineImageCompressor compressor = new InlineImageCompressor(MAPPER);

    /** A picture with smooth gradients and some detail; with a transparent band when {@code alpha}. */
    static BufferedImage picture(int w, int h, boolean alpha, long seed) {
        BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Random r = new Random(seed);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int red = (x * 255 / w);
                int green = (y * 255 / h);
                int blue = ((x / 40 + y / 40) % 2 == 0 ? 200 : 60) + r.nextInt(8);
                int a = alpha && x < w / 4 ? 0 : 255;
                img.setRGB(x, y, (a << 24) | (red << 16) | (green << 8) | blue);
            }
        }
        return img;
    }

    static byte[] encode(BufferedImage img, String format, float quality) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if ("jpeg".equals(format)) {
            ImageWriter w = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                w.setOutput(ios);
                ImageWriteParam p = w.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
                w.write(null, new IIOImage(img, null, null), p);
            } finally {
                w.dispose();
            }
        } else {
            assertTrue(ImageIO.write(img, format, out), "no writer for " + format);
        }
        return out.toByteArray();
    }

    static String dataUrl(String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    static String chatWithImages(String... urls) {
        StringBuilder parts = new StringBuilder("{\"type\":\"text\",\"text\":\"What is in these images?\"}");
        for (String u : urls) {
            parts.append(",{\"type\":\"image_url\",\"image_url\":{\"url\":\"").append(u).append("\",\"detail\":\"high\"}}");
        }
        return "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":[" + parts + "]}]}";
    }

    static byte[] payload(String url) {
        int comma = url.indexOf(',');
        return Base64.getDecoder().decode(url.substring(comma + 1));
    }

    static BufferedImage read(byte[] bytes) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
        assertTrue(img != null, "the result must be a readable image");
        return img;
    }

    private JsonNode run(String body, InlineImageCompressor.Settings s) throws IOException {
        return MAPPER.readTree(compressor.compress(body.getBytes(), s).body());
    }

    @Test
    void aLargeTransparentPngShrinksAndKeepsItsAlpha() throws Exception {
        byte[] png = encode(picture(3000, 1000, true, 1), "png", 1);
        JsonNode out = run(chatWithImages(dataUrl("image/png", png)), JPEG);
        String url = out.at("/messages/0/content/1/image_url/url").textValue();
        assertTrue(url.startsWith("data:image/png;base64,"), "transparent images are never JPEG: " + url.substring(0, 30));
        BufferedImage img = read(payload(url));
        assertEquals(1600, img.getWidth());
        assertEquals(533, img.getHeight());
        assertTrue(InlineImageCompressor.hasTransparentPixel(img), "alpha kept");
        assertTrue(payload(url).length < png.length);
        assertEquals("high", out.at("/messages/0/content/1/image_url/detail").textValue(), "siblings untouched");
    }

    @Test
    void aLargeJpegStaysJpegAndFitsMaxSize() throws Exception {
        byte[] jpeg = encode(picture(3000, 2000, false, 2), "jpeg", 0.95f);
        JsonNode out = run(chatWithImages(dataUrl("image/jpeg", jpeg)), JPEG);
        String url = out.at("/messages/0/content/1/image_url/url").textValue();
        assertTrue(url.startsWith("data:image/jpeg;base64,"));
        BufferedImage img = read(payload(url));
        assertEquals(1600, img.getWidth());
        assertEquals(1067, img.getHeight());
    }

    @Test
    void aSmallImageIsLeftByteForByte() throws Exception {
        byte[] jpeg = encode(picture(200, 200, false, 3), "jpeg", 0.9f);
        byte[] body = chatWithImages(dataUrl("image/jpeg", jpeg)).getBytes();
        InlineImageCompressor.Result r = compressor.compress(body, JPEG);
        assertSame(body, r.body());
        assertEquals(1, r.images());
        assertEquals(0, r.compressed());
    }

    @Test
    void anImageThatWouldGrowIsLeftAsItWas() throws Exception {
        // noise at a very low JPEG quality: re-encoding at 0.85 makes it bigger although it has fewer pixels
        BufferedImage noise = new BufferedImage(1700, 1700, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(4);
        for (int y = 0; y < 1700; y++) {
            for (int x = 0; x < 1700; x++) {
                noise.setRGB(x, y, r.nextInt(0xFFFFFF));
            }
        }
        byte[] jpeg = encode(noise, "jpeg", 0.05f);
        byte[] body = chatWithImages(dataUrl("image/jpeg", jpeg)).getBytes();
        InlineImageCompressor.Result res = compressor.compress(body, new InlineImageCompressor.Settings(1600, 1f, false));
        assertSame(body, res.body(), "never grow an image");
    }

    @Test
    void imageBase64KeepsItsOwnFormat() throws Exception {
        byte[] png = encode(picture(2400, 1200, false, 5), "png", 1);
        String body = "{\"model\":\"m\",\"input\":[{\"type\":\"input_image\",\"image_base64\":\""
                + Base64.getEncoder().encodeToString(png) + "\"}]}";
        JsonNode out = run(body, JPEG);
        byte[] bytes = Base64.getDecoder().decode(out.at("/input/0/image_base64").textValue());
        assertEquals((byte) 0x89, bytes[0]);
        assertEquals('P', bytes[1], "still a PNG: image_base64 has no MIME type to announce another format");
        assertEquals(1600, read(bytes).getWidth());
    }

    @Test
    void responsesInputImageDataUrlsAreCompressed() throws Exception {
        byte[] jpeg = encode(picture(2000, 2000, false, 6), "jpeg", 0.95f);
        String body = "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"image_url\":\""
                + dataUrl("image/jpeg", jpeg) + "\"}]}]}";
        JsonNode out = run(body, JPEG);
        String url = out.at("/input/0/content/0/image_url").textValue();
        assertEquals(1600, read(payload(url)).getHeight());
    }

    @Test
    void webpFormatWritesWebpAndKeepsAlpha() throws Exception {
        byte[] png = encode(picture(2000, 1000, true, 7), "png", 1);
        byte[] jpeg = encode(picture(2000, 1000, false, 8), "jpeg", 0.95f);
        JsonNode out = run(chatWithImages(dataUrl("image/png", png), dataUrl("image/jpeg", jpeg)), WEBP);
        String transparent = out.at("/messages/0/content/1/image_url/url").textValue();
        String opaque = out.at("/messages/0/content/2/image_url/url").textValue();
        assertTrue(transparent.startsWith("data:image/webp;base64,"));
        assertTrue(opaque.startsWith("data:image/webp;base64,"));
        BufferedImage t = read(payload(transparent));
        assertEquals(1600, t.getWidth());
        assertTrue(InlineImageCompressor.hasTransparentPixel(t), "WebP keeps alpha");
        assertEquals(800, read(payload(opaque)).getHeight());
    }

    @Test
    void theSameImageTwiceIsProcessedOnce() throws Exception {
        String url = dataUrl("image/jpeg", encode(picture(2500, 1000, false, 9), "jpeg", 0.95f));
        InlineImageCompressor.Result r = compressor.compress(chatWithImages(url, url).getBytes(), JPEG);
        assertEquals(1, r.images());
        assertEquals(1, r.compressed());
        JsonNode out = MAPPER.readTree(r.body());
        assertEquals(out.at("/messages/0/content/1/image_url/url"), out.at("/messages/0/content/2/image_url/url"));
        assertFalse(out.at("/messages/0/content/1/image_url/url").textValue().equals(url));
    }

    @Test
    void aDecompressionBombIsLeftAloneQuickly() throws Exception {
        byte[] bomb = bombPng(20_000, 20_000);
        assertTrue(bomb.length < 200_000, "a small file: " + bomb.length);
        byte[] body = chatWithImages(dataUrl("image/png", bomb)).getBytes();
        long t0 = System.nanoTime();
        InlineImageCompressor.Result r = compressor.compress(body, JPEG);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertSame(body, r.body());
        assertEquals(1, r.skipped());
        assertTrue(ms < 2000, "refused by its header, not decoded: " + ms + " ms");
    }

    @Test
    void corruptOrUnknownImagesAndRemoteUrlsAreLeftUnchanged() throws Exception {
        String body = chatWithImages("data:image/png;base64,@@@not-base64@@@",
                dataUrl("image/png", "not an image at all".getBytes()),
                "https://example.invalid/cat.png",
                "data:image/svg+xml;utf8,<svg/>");
        byte[] bytes = body.getBytes();
        InlineImageCompressor.Result r = compressor.compress(bytes, JPEG);
        assertSame(bytes, r.body());
        assertEquals(3, r.skipped(), "corrupt base64, unknown format, non-base64 data URL");
    }

    @Test
    void bodiesWithoutInlineImagesAreNotParsed() {
        byte[] notJson = "this is not JSON but mentions no image".getBytes();
        assertSame(notJson, compressor.compress(notJson, JPEG).body());
    }

    @Test
    void theOutputIsStillValidJsonWithEverythingElseIntact() throws Exception {
        byte[] jpeg = encode(picture(1800, 900, false, 10), "jpeg", 0.95f);
        String body = "{\"model\":\"m\",\"stream\":true,\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"image_url\",\"image_url\":{\"url\":\"" + dataUrl("image/jpeg", jpeg) + "\"}}]}],"
                + "\"metadata\":{\"x\":\"ünïcode ✓\"}}";
        byte[] out = compressor.compress(body.getBytes(java.nio.charset.StandardCharsets.UTF_8), JPEG).body();
        JsonNode n = MAPPER.readTree(out);
        assertTrue(n.get("stream").booleanValue());
        assertEquals(0.5, n.get("temperature").doubleValue());
        assertEquals("ünïcode ✓", n.at("/metadata/x").textValue());
        assertNotSame(body.length(), out.length);
    }

    /** A valid PNG announcing {@code w x h} 1-bit pixels, all black: tiny on disk, huge when decoded. */
    static byte[] bombPng(int w, int h) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(file);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(ihdr);
        d.writeInt(w);
        d.writeInt(h);
        d.write(new byte[] {1, 0, 0, 0, 0}); // bit depth 1, greyscale, deflate, adaptive filter, no interlace
        chunk(out, "IHDR", ihdr.toByteArray());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
            byte[] row = new byte[1 + (w + 7) / 8];
            for (int y = 0; y < h; y++) {
                z.write(row);
            }
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return file.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        out.writeInt(data.length);
        byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }

    @Test
    void theBombIsARealPngImageIoAccepts() throws Exception {
        // guards the test above: the file must be a valid PNG whose header ImageIO reads
        Iterator<javax.imageio.ImageReader> it = ImageIO.getImageReaders(
                ImageIO.createImageInputStream(new ByteArrayInputStream(bombPng(20_000, 20_000))));
        javax.imageio.ImageReader r = it.next();
        r.setInput(ImageIO.createImageInputStream(new ByteArrayInputStream(bombPng(20_000, 20_000))));
        assertEquals(20_000, r.getWidth(0));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P'}, java.util.Arrays.copyOf(bombPng(8, 8), 2));
    }
}
