package com.aoaigw.proxy.admin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin area in the real proxy (ProxyServer with the admin contributor found by ServiceLoader, a file config
 * store) against foundry-sim: the admin API's guards on the real routing, then the admin page end to end in
 * headless Chromium (playwright-core), including a key created in the page and used with the OpenAI SDK.
 */
@Timeout(240)
class AdminPageIT {
    private static final String PASSWORD = "E2e-admin-pass-1";
    private static final String TOKEN = "e2e-caddy-token-123";
    private static final String CLIENT_KEY = "client-key-e2e-0123456789";

    @TempDir
    static Path dir;
    static FoundrySim sim;
    static ProxyServer proxy;
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().apiKeys("sim-key-e2e")
                .deployment("gpt-broken", DeploymentSettings.defaults().withFault(Fault.CONTENT_FILTER))
                .strictDeployments(false).build());
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, """
                {"server": {"host": "127.0.0.1", "adminAuth": {"username": "admin", "password": "%s"}},
                 "auth": {"mode": "apiKey", "apiKey": "sim-key-e2e"},
                 "apiKeys": [{"id": "existing", "key": "%s"}],
                 "upstreams": [{"name": "sim", "baseUrl": "%s"}],
                 "models": [{"id": "gpt-4o-mini", "upstream": "sim"}, {"id": "gpt-broken", "upstream": "sim"}]}
                """.formatted(PASSWORD, CLIENT_KEY, sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.from(k -> switch (k) {
            case "CONFIG_PATH" -> cfg.toString();
            case "PORT" -> "0";
            case "HOST" -> "127.0.0.1";
            case "CONFIG_POLL_MS" -> "200";
            case "CADDY_MANAGER_TOKEN" -> TOKEN;
            default -> null;
        }));
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

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clientKeysNeverReachTheAdminAreaOfTheRealProxy() throws Exception {
        // the key works on the data plane...
        HttpResponse<String> chat = send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + CLIENT_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")));
        assertEquals(200, chat.statusCode(), chat.body());
        // ...and on no admin route
        for (String[] r : List.of(new String[] {"GET", "/admin/api/config"}, new String[] {"PUT", "/admin/api/config"},
                new String[] {"POST", "/admin/api/keys"}, new String[] {"GET", "/admin/api/logs"},
                new String[] {"POST", "/admin/api/reload"}, new String[] {"GET", "/admin/api/runtime"})) {
            for (String header : List.of("Authorization", "api-key", "x-api-key")) {
                HttpResponse<String> res = send(HttpRequest.newBuilder(URI.create(base() + r[1]))
                        .header(header, header.equals("Authorization") ? "Bearer " + CLIENT_KEY : CLIENT_KEY)
                        .header("X-Requested-With", "t")
                        .method(r[0], HttpRequest.BodyPublishers.ofString("{}")));
                assertEquals(401, res.statusCode(), r[0] + " " + r[1] + " with " + header);
            }
        }
        HttpResponse<String> report = send(HttpRequest.newBuilder(URI.create(base() + "/internal/caddy/report"))
                .header("Authorization", "Bearer " + CLIENT_KEY).POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertEquals(401, report.statusCode());
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base() + "/admin/")));
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("content-security-policy").isPresent());
    }

    @Test
    void verifyReachesTheSimulator() throws Exception {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(base() + "/admin/api/upstreams/sim/verify"))
                .header("Authorization", AdminHarness.basic("admin", PASSWORD)).header("X-Requested-With", "t")
                .POST(HttpRequest.BodyPublishers.noBody()));
        JsonNode v = AdminHarness.json(r);
        assertTrue(v.get("ok").asBoolean(), r.body());
        assertFalse(r.body().contains("sim-key-e2e"));
    }

    @Test
    void adminPageEndToEnd() throws Exception {
        Path tools = BrowserDriver.toolsDir();
        String report = "{\"reportedAt\":\"" + Instant.now() + "\",\"enabled\":true,\"process\":{\"state\":\"running\","
                + "\"pid\":4242,\"restarts\":0},\"config\":{\"state\":\"applied\",\"appliedEtag\":\"v1\"},"
                + "\"certificates\":[{\"domain\":\"gw.example.com\",\"state\":\"valid\",\"issuer\":\"Caddy Local Authority\","
                + "\"notAfter\":\"2036-01-01T00:00:00Z\"}]}";
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(base() + "/internal/caddy/report"))
                .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.ofString(report))).statusCode());
        Path shots = Path.of("target", "screenshots").toAbsolutePath();
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        Map<String, Object> options = new HashMap<>();
        options.put("toolsDir", tools.toString());
        options.put("baseUrl", base());
        options.put("username", "admin");
        options.put("password", PASSWORD);
        options.put("screenshots", shots.toString());
        options.put("chromium", BrowserDriver.CHROMIUM.toString());
        options.put("userDataDir", profile.toString());
        options.put("sdk", Map.of("baseUrl", base() + "/v1", "model", "gpt-4o-mini"));
        options.put("playground", Map.of("keyId", "existing", "clientKey", CLIENT_KEY, "errorModel", "gpt-broken"));
        BrowserDriver.Run run = BrowserDriver.run(options, 150);
        JsonNode res = run.result();
        assertEquals(0, run.exitCode(), res.toString() + "\n" + run.stderr());
        assertTrue(res.get("ok").asBoolean());
        assertEquals("server.portt", res.at("/steps/validationPath").asText());
        // issue 15 item 7: the Overview shows each deployment's state (from GET /admin/api/deployments)
        String deployments = res.at("/steps/deployments").toString();
        assertTrue(deployments.contains("[\"gpt-4o-mini\",\"sim/gpt-4o-mini\",\"0 / 1\",\"ok\""), deployments);
        assertTrue(deployments.contains("\"sim/gpt-broken\""), deployments);
        assertTrue(res.at("/steps/tlsCerts").asText().contains("valid"));
        assertFalse(res.at("/steps/tlsStaleShown").asBoolean());
        assertFalse(res.at("/steps/sdkAnswer").asText().isEmpty());
        assertEquals(401, res.at("/steps/disabledStatus").asInt());
        assertTrue(res.at("/steps/logEntries").asInt() >= 2, "the SDK calls of the new key are in the log view");
        assertTrue(res.at("/steps/logsText").asText().contains("e2e-key"));
        assertTrue(res.at("/steps/logDrawer").asText().contains("\"route\""), "the drawer shows the entry's fields");
        // issue 17 item 4: the live tail shows a new entry without applying the filters again, and the status
        // filter (4xx) keeps the 200 of the same request id out
        JsonNode tail = res.at("/steps/tailRows");
        assertEquals(1, tail.size(), tail.toString());
        assertEquals("401", tail.get(0).get(2).asText(), tail.toString());
        assertTrue(tail.get(0).get(9).asText().startsWith("tail-"), tail.toString());
        assertEquals(0, res.get("consoleErrors").size(), res.get("consoleErrors").toString());
        // issue 17: every page is shot at 1400 px and at 390 px wide, the files written under target/screenshots
        JsonNode pageShots = res.at("/steps/pageShots");
        assertEquals(14, pageShots.size(), pageShots.toString());
        for (JsonNode s : pageShots) {
            Path file = shots.resolve(s.get("name").asText() + ".png");
            assertTrue(Files.size(file) > 5_000, file + " is written");
        }
        // issue 21 items 10 and 11: the TLS form patches server.caddy; the Keys tab shows the validator's words
        assertEquals("127.0.0.1:2999", res.at("/steps/tlsStored/adminAddress").asText());
        assertTrue(res.at("/steps/keyValidation").asText().contains("'gpt-99' is not a model id in models[]"));
        assertFalse(res.at("/steps/keyPanelAfterNextAction").asBoolean());
        // issue 16 item 5 (page side): the key form shows the validator's message next to the field, and saves
        assertTrue(res.at("/steps/keyFormModelError").asText().contains("'gpt-99' is not a model id in models[]"));
        if (res.at("/steps/keyFormOutcome").asText().equals("saved")) {
            String saved = Files.readString(dir.resolve("config.json"));
            assertTrue(saved.contains("team-e2e") && saved.contains("2030-01-01T00:00:00Z"), saved);
        } else {
            assertTrue(res.at("/steps/keyFormRefusal").asText().contains("unknown key"), res.toString());
        }
        // issue 19 item 2: the playground
        assertTrue(res.at("/steps/playgroundStream/text").asText().length() > 0);
        assertTrue(res.at("/steps/playgroundStream/usage").asText().matches("\\d+ in, \\d+ out.*"));
        assertTrue(res.at("/steps/playgroundLogEntry").asText().contains(res.at("/steps/playgroundStream/requestId").asText()));
        assertTrue(res.at("/steps/playgroundTools").asText().contains("get_weather"));
        assertTrue(res.at("/steps/playgroundError").asText().startsWith("HTTP 400"), res.at("/steps/playgroundError").asText());
        assertTrue(sim.requests().stream().anyMatch(r -> r.body().contains("\"image_url\"")
                && r.body().contains("data:image/webp;base64,")), "the compressed image reached the simulator");
        assertFalse(res.at("/steps/playgroundStream").toString().contains(CLIENT_KEY), "the key is not shown");
        // issue 19 item 3: Chinese on every tab, kept over a reload, chosen by the browser's language
        assertEquals(0, res.at("/steps/zhMissing").size(), res.at("/steps/zhMissing").toString());
        assertEquals("概览", res.at("/steps/zhAfterReload").asText());
        assertEquals("概览", res.at("/steps/zhFirstVisit").asText());
        assertTrue(res.at("/steps/zhValidation").asText().contains("不是 models[] 中的模型 ID"));
        for (String shot : List.of("01-login", "02-overview", "03-config-review", "04-config-conflict", "05-tls",
                "06-keys", "06b-key-form", "07-usage", "08-logs", "08b-log-drawer", "20-zh-overview", "21-zh-config", "22-zh-tls", "23-zh-keys",
                "24-zh-usage", "25-zh-logs", "26-zh-playground", "09-playground", "10-playground-error")) {
            assertTrue(Files.size(shots.resolve(shot + ".png")) > 1000, shot);
        }
        String stored = Files.readString(dir.resolve("config.json"));
        assertTrue(stored.contains("gw.example.com"), "the TLS form was saved through the store");
        assertTrue(stored.contains("sha256:"), "the new key is stored hashed");
        assertTrue(stored.contains("sim-key-e2e"), "masked secrets were kept on save");
    }
}
