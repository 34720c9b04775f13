package com.aoaigw.proxy.translate;

import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static com.aoaigw.proxy.translate.InlineImageCompressorTest.bombPng;
import static com.aoaigw.proxy.translate.InlineImageCompressorTest.dataUrl;
import static com.aoaigw.proxy.translate.InlineImageCompressorTest.encode;
import static com.aoaigw.proxy.translate.InlineImageCompressorTest.payload;
import static com.aoaigw.proxy.translate.InlineImageCompressorTest.picture;
import static com.aoaigw.proxy.translate.InlineImageCompressorTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Image compression end to end: client → proxy → foundry-sim over sockets, checking the bytes the simulator
 * received.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ImageCompressionIT {
    private static final String KEY = "image-client-key";
    private final ObjectMapper mapper = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private FoundrySim sim;
    private ProxyServer proxy;
    private String base;

    @BeforeAll
    void start() throws Exception {
        sim = FoundrySim.start(SimSettings.defaults());
        Path dir = Files.createTempDirectory("image-it");
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"server":{"imageCompression":{"enabled":true,"maxSize":1600,"quality":0.85,"format":"jpeg"}},
                 "auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"tester","key":"%s"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o","upstream":"sim"},
                           {"id":"gpt-4o-raw","upstream":"sim","targetModel":"gpt-4o","imageCompression":false},
                           {"id":"gpt-4o-via-responses","upstream":"sim","targetModel":"gpt-4o",
                            "routes":{"chat/completions":"responses"}}]}
                """.formatted(KEY, sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(config));
        base = "http://127.0.0.1:" + proxy.port();
    }

    @AfterAll
    void stop() {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.stop();
        }
    }

    @BeforeEach
    void clear() {
        sim.clearRequests();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("content-type", "application/json").header("authorization", "Bearer " + KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode received() throws Exception {
        return mapper.readTree(sim.requests().getLast().body());
    }

    @Test
    void chatImagesAreShrunkBeforeAzureSeesThem() throws Exception {
        String transparent = dataUrl("image/png", encode(picture(3000, 1000, true, 11), "png", 1));
        String photo = dataUrl("image/jpeg", encode(picture(3000, 2000, false, 12), "jpeg", 0.95f));
        String small = dataUrl("image/jpeg", encode(picture(200, 200, false, 13), "jpeg", 0.9f));
        String corrupt = "data:image/png;base64,!!!corrupt!!!";
        String bomb = dataUrl("image/png", bombPng(20_000, 20_000));
        String body = InlineImageCompressorTest.chatWithImages(transparent, photo, small, corrupt, bomb);

        HttpResponse<String> res = post("/v1/chat/completions", body);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode parts = received().at("/messages/0/content");

        String t = parts.get(1).at("/image_url/url").textValue();
        assertTrue(t.startsWith("data:image/png;base64,"), "alpha means PNG");
        BufferedImage ti = read(payload(t));
        assertTrue(ti.getWidth() <= 1600);
        assertTrue(InlineImageCompressor.hasTransparentPixel(ti), "alpha kept");

        String p = parts.get(2).at("/image_url/url").textValue();
        assertTrue(p.startsWith("data:image/jpeg;base64,"));
        assertTrue(read(payload(p)).getWidth() <= 1600);

        assertEquals(small, parts.get(3).at("/image_url/url").textValue(), "a 200x200 JPEG is untouched");
        assertEquals(corrupt, parts.get(4).at("/image_url/url").textValue(), "corrupt base64 forwarded unchanged");
        assertEquals(bomb, parts.get(5).at("/image_url/url").textValue(), "a decompression bomb is left alone");
    }

    @Test
    void responsesImageBase64KeepsAFormatTheUpstreamCanRead() throws Exception {
        byte[] png = encode(picture(2400, 1200, false, 14), "png", 1);
        String url = dataUrl("image/jpeg", encode(picture(2000, 2000, false, 15), "jpeg", 0.95f));
        String body = "{\"model\":\"gpt-4o\",\"input\":[{\"role\":\"user\",\"content\":["
                + "{\"type\":\"input_text\",\"text\":\"describe\"},"
                + "{\"type\":\"input_image\",\"image_url\":\"" + url + "\"},"
                + "{\"type\":\"input_image\",\"image_base64\":\"" + Base64.getEncoder().encodeToString(png) + "\"}]}]}";
        HttpResponse<String> res = post("/v1/responses", body);
        assertEquals(200, res.statusCode(), res.body());
        JsonNode content = received().at("/input/0/content");
        assertTrue(read(payload(content.get(1).get("image_url").textValue())).getHeight() <= 1600);
        byte[] b = Base64.getDecoder().decode(content.get(2).get("image_base64").textValue());
        assertEquals('P', b[1], "image_base64 stays PNG");
        assertEquals(1600, read(b).getWidth());
    }

    @Test
    void aModelCanSwitchCompressionOff() throws Exception {
        String photo = dataUrl("image/jpeg", encode(picture(2500, 1500, false, 16), "jpeg", 0.95f));
        HttpResponse<String> res = post("/v1/chat/completions",
                InlineImageCompressorTest.chatWithImages(photo).replace("\"gpt-4o\"", "\"gpt-4o-raw\""));
        assertEquals(200, res.statusCode(), res.body());
        assertEquals(photo, received().at("/messages/0/content/1/image_url/url").textValue());
    }

    @Test
    void translatedRequestsAreCompressedAfterTranslation() throws Exception {
        String photo = dataUrl("image/jpeg", encode(picture(2500, 1500, false, 17), "jpeg", 0.95f));
        HttpResponse<String> res = post("/v1/chat/completions",
                InlineImageCompressorTest.chatWithImages(photo).replace("\"gpt-4o\"", "\"gpt-4o-via-responses\""));
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(sim.requests().getLast().path().endsWith("/responses"));
        JsonNode req = received();
        String sent = req.at("/input/0/content/1/image_url").textValue();
        assertTrue(sent.startsWith("data:image/jpeg;base64,"), req.toString().substring(0, 200));
        assertEquals(1600, read(payload(sent)).getWidth());
    }
}
