import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;

import javax.imageio.ImageIO;

import com.aoaigw.proxy.translate.InlineImageCompressor;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * `make bench`, image part: the cost of server.imageCompression per megapixel of input, measured in-process on the
 * proxy's own InlineImageCompressor (decode, scale to 1600 px, encode), median of several runs after a warm-up.
 * Run by scripts/bench.sh with the built proxy jar on the class path.
 */
public class ImageBench {
    public static void main(String[] args) throws Exception {
        InlineImageCompressor c = new InlineImageCompressor(new ObjectMapper());
        System.out.println("image compression (maxSize 1600, quality 0.85), median of 9 runs after 3 warm-up runs:");
        System.out.printf("  %-34s %9s %10s %12s %12s%n", "input", "MP", "ms/image", "ms per MP", "bytes in→out");
        run(c, "JPEG photo 4000x3000 → jpeg", picture(4000, 3000, false), "jpeg", "image/jpeg", false);
        run(c, "JPEG photo 3000x2000 → jpeg", picture(3000, 2000, false), "jpeg", "image/jpeg", false);
        run(c, "PNG with alpha 3000x1000 → png", picture(3000, 1000, true), "png", "image/png", false);
        run(c, "JPEG photo 3000x2000 → webp", picture(3000, 2000, false), "jpeg", "image/jpeg", true);
    }

    static void run(InlineImageCompressor c, String name, BufferedImage img, String fmt, String mime, boolean webp)
            throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, fmt, bytes);
        byte[] body = ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes.toByteArray())
                + "\"}}]}]}").getBytes();
        InlineImageCompressor.Settings s = new InlineImageCompressor.Settings(1600, 0.85f, webp);
        long[] ns = new long[9];
        int outLen = 0;
        for (int i = 0; i < 3 + ns.length; i++) {
            long t0 = System.nanoTime();
            InlineImageCompressor.Result r = c.compress(body, s);
            long t = System.nanoTime() - t0;
            if (r.compressed() != 1) {
                throw new IllegalStateException(name + ": not compressed");
            }
            outLen = r.body().length;
            if (i >= 3) {
                ns[i - 3] = t;
            }
        }
        Arrays.sort(ns);
        double ms = ns[ns.length / 2] / 1e6;
        double mp = img.getWidth() * (double) img.getHeight() / 1e6;
        System.out.printf("  %-34s %9.1f %10.1f %12.1f %6d→%d%n", name, mp, ms, ms / mp, body.length, outLen);
    }

    static BufferedImage picture(int w, int h, boolean alpha) {
        BufferedImage img = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Random r = new Random(42);
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int a = alpha && x < w / 4 ? 0 : 255;
                row[x] = (a << 24) | ((x * 255 / w) << 16) | ((y * 255 / h) << 8) | (((x / 40 + y / 40) % 2 == 0 ? 200 : 60) + r.nextInt(8));
            }
            img.setRGB(0, y, w, 1, row, 0, w);
        }
        return img;
    }
}
