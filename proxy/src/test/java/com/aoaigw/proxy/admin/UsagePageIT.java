package com.aoaigw.proxy.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.Fault;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Usage page (issue 17 item 2) in the real proxy against foundry-sim, driven in headless Chromium by
 * {@code admin-e2e/usage-page.mjs}: traffic from two keys (one request refused by the upstream's content filter),
 * then the range picker (last hour, 24 h, a custom from/to), grouping by key, a table sorted by clicking its
 * headings, the CSV export compared with the table row by row, one key against its limits and budget, and
 * screenshots at 1400 and 390 px wide under {@code target/screenshots/}.
 */
@Timeout(240)
class UsagePageIT {
    private static final String PASSWORD = "Usage-e2e-pass-1";
    private static final String ALPHA = "client-key-alpha-0123456789";
    private static final String BETA = "client-key-beta-0123456789";
    private static final int ALPHA_CHATS = 5;
    private static final int BETA_CHATS = 2;

    @TempDir
    static Path dir;
    static FoundrySim sim;
    static ProxyServer proxy;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().apiKeys("sim-key-usage")
                .deployment("gpt-broken", DeploymentSettings.defaults().withFault(Fault.CONTENT_FILTER))
                .strictDeployments(false).build());
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, """
                {"server": {"host": "127.0.0.1", "adminAuth": {"username": "admin", "password": "%s"}},
                 "auth": {"mode": "apiKey", "apiKey": "sim-key-usage"},
                 "apiKeys": [{"id": "alpha", "key": "%s", "owner": "team-alpha",
                              "limits": {"rpm": 600, "tokensPerDay": 100000, "budgetPerMonth": 10}},
                             {"id": "beta", "key": "%s"}],
                 "upstreams": [{"name": "sim", "baseUrl": "%s"}],
                 "models": [{"id": "gpt-4o-mini", "upstream": "sim",
                             "pricing": {"inputPer1M": 10, "outputPer1M": 40, "currency": "USD"}},
                            {"id": "gpt-broken", "upstream": "sim"}]}
                """.formatted(PASSWORD, ALPHA, BETA, sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(cfg));
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.close();
        }
    }

    private static String base() {
        return "http://127.0.0.1:" + proxy.port();
    }

    private static int chat(String key, String model, boolean stream) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]"
                + (stream ? ",\"stream\":true,\"stream_options\":{\"include_usage\":true}" : "") + "}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    @Test
    void usagePageEndToEnd() throws Exception {
        for (int i = 0; i < ALPHA_CHATS; i++) {
            assertEquals(200, chat(ALPHA, "gpt-4o-mini", i % 2 == 1));
        }
        for (int i = 0; i < BETA_CHATS; i++) {
            assertEquals(200, chat(BETA, "gpt-4o-mini", false));
        }
        assertEquals(400, chat(BETA, "gpt-broken", false));
        int total = ALPHA_CHATS + BETA_CHATS + 1;

        Path tools = BrowserDriver.toolsDir();
        Path shots = Path.of("target", "screenshots").toAbsolutePath();
        Path downloads = Files.createTempDirectory(dir, "downloads");
        Map<String, Object> options = new HashMap<>();
        options.put("toolsDir", tools.toString());
        options.put("baseUrl", base());
        options.put("username", "admin");
        options.put("password", PASSWORD);
        options.put("screenshots", shots.toString());
        options.put("downloads", downloads.toString());
        options.put("chromium", BrowserDriver.CHROMIUM.toString());
        options.put("userDataDir", Files.createTempDirectory(dir, "chromium-profile").toString());
        options.put("expectRequests", total);
        BrowserDriver.Run run = BrowserDriver.run("usage-page.mjs", options, 150);
        JsonNode res = run.result();
        assertEquals(0, run.exitCode(), res.toString() + "\n" + run.stderr());
        JsonNode s = res.get("steps");

        // the range picker asked the API for each range
        assertTrue(s.at("/requested").toString().contains("window=1h"), s.toString());
        assertTrue(s.at("/requested").toString().contains("window=24h"), s.toString());
        assertTrue(s.at("/requested").toString().matches(".*from=\\d+&to=\\d+.*"), s.at("/requested").toString());
        for (String range : List.of("1h", "24h", "custom")) {
            assertEquals(String.valueOf(total), s.at("/totalRequests/" + range).asText(), range + ": " + s);
        }
        // grouped by key: one row per key with its requests and errors; beta's error is the upstream's 400
        Map<String, JsonNode> byKey = new HashMap<>();
        s.get("byKey").forEach(row -> byKey.put(row.get(0).asText(), row));
        assertEquals(String.valueOf(ALPHA_CHATS), byKey.get("alpha").get(1).asText(), s.get("byKey").toString());
        assertEquals(String.valueOf(BETA_CHATS + 1), byKey.get("beta").get(1).asText());
        assertEquals("1", byKey.get("beta").get(2).asText());
        assertTrue(Double.parseDouble(byKey.get("alpha").get(9).asText()) > 0, "alpha's cost from the model's pricing");
        // sorting by clicking headings
        assertEquals("ascending", s.at("/sortRequests/ariaSort").asText());
        List<Double> requests = new ArrayList<>();
        s.at("/sortRequests/values").forEach(v -> requests.add(v.asDouble()));
        assertEquals(requests.stream().sorted().toList(), requests, "ascending by requests");
        assertEquals(List.of("alpha", "beta"), names(s.at("/sortName/values")));
        assertEquals(List.of("beta", "alpha"), names(s.at("/sortNameDesc/values")));
        // the CSV is the table as shown: same header, same rows in the same order, the total row last
        assertEquals(s.at("/table").toString(), s.at("/csv").toString());
        assertTrue(s.at("/csvFile").asText().startsWith("usage-by-key-"), s.at("/csvFile").asText());
        assertEquals("Total", s.at("/csv").get(s.at("/csv").size() - 1).get(0).asText());
        // the key against its limits and budget
        String limits = s.at("/keyLimits").asText();
        assertTrue(limits.contains("Requests per minute") && limits.contains("600"), limits);
        assertTrue(limits.contains("100,000") && limits.contains("$10.00"), limits);
        assertTrue(s.at("/keyInfo").asText().contains("team-alpha"), s.at("/keyInfo").asText());
        assertTrue(s.at("/keyInfoByModel").asText().contains(ALPHA_CHATS + " requests"), s.at("/keyInfoByModel").asText());
        // in Chinese: nothing left in English, the headings translated
        assertEquals(0, s.at("/zhMissing").size(), s.at("/zhMissing").toString());
        assertEquals("密钥", s.at("/zhHeadings/0").asText());
        assertEquals("请求数", s.at("/zhHeadings/1").asText());
        // usable at 390 px: nothing wider than the screen but the table's own scroll box
        assertTrue(s.at("/narrowScrollWidth").asInt() <= 390, "page width at 390 px: " + s.at("/narrowScrollWidth"));
        assertTrue(s.at("/charts").asInt() >= 4, "charts drawn: " + s.at("/charts"));
        assertEquals(0, res.get("consoleErrors").size(), res.get("consoleErrors").toString());
        for (String shot : List.of("30-usage-1400", "31-usage-by-key-1400", "32-usage-390", "33-usage-by-key-390",
                "34-usage-zh-390")) {
            assertTrue(Files.size(shots.resolve(shot + ".png")) > 1000, shot);
        }
    }

    private static List<String> names(JsonNode values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asText()));
        return out;
    }
}
