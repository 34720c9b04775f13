package com.aoaigw.proxy.admin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The config and key forms of the admin page (issue 17 item 3, issue 16 item 5) in headless Chromium against the
 * real proxy and foundry-sim: an upstream and a pooled model (two deployments) added with the forms, saved through
 * the diff review, verified and used with the OpenAI SDK; a key created with {@code rpm: 2} in the key form, used
 * twice, refused the third time with 429, and its usage shown in the Keys tab; the validator's messages next to
 * their fields. Screenshots at 1400 px and 390 px wide are written under {@code target/screenshots/forms-*}.
 */
@Timeout(300)
class AdminFormsIT {
    private static final String PASSWORD = "Forms-admin-pass-1";
    private static final String SIM_KEY = "sim-key-forms-7f3a";
    private static final String CLIENT_KEY = "client-key-forms-0123456789";

    @TempDir
    static Path dir;
    static FoundrySim sim;
    static ProxyServer proxy;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().apiKeys(SIM_KEY).strictDeployments(false).build());
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, """
                {"server": {"host": "127.0.0.1", "adminAuth": {"username": "admin", "password": "%s"}},
                 "auth": {"mode": "apiKey", "apiKey": "%s"},
                 "apiKeys": [{"id": "existing", "key": "%s"}],
                 "upstreams": [{"name": "sim", "baseUrl": "%s"}],
                 "models": [{"id": "gpt-4o-mini", "upstream": "sim"}]}
                """.formatted(PASSWORD, SIM_KEY, CLIENT_KEY, sim.baseUrl()));
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

    @Test
    void upstreamModelAndKeyFormsEndToEnd() throws Exception {
        Path tools = BrowserDriver.toolsDir();
        String base = "http://127.0.0.1:" + proxy.port();
        Path shots = Path.of("target", "screenshots").toAbsolutePath();
        Map<String, Object> options = new HashMap<>();
        options.put("toolsDir", tools.toString());
        options.put("baseUrl", base);
        options.put("username", "admin");
        options.put("password", PASSWORD);
        options.put("screenshots", shots.toString());
        options.put("chromium", BrowserDriver.CHROMIUM.toString());
        options.put("userDataDir", Files.createTempDirectory(dir, "chromium-profile").toString());
        options.put("simUrl", sim.baseUrl());
        options.put("simKey", SIM_KEY);
        options.put("clientKey", CLIENT_KEY);
        BrowserDriver.Run run = BrowserDriver.run("admin-forms.mjs", options, 240);
        JsonNode res = run.result();
        assertEquals(0, run.exitCode(), res.toString() + "\n" + run.stderr());
        assertTrue(res.get("ok").asBoolean());

        // the validator's message is shown next to the field it names
        assertTrue(res.at("/steps/baseUrlError").asText().contains("not a url"), res.toString());
        assertTrue(res.at("/steps/deploymentError").asText().contains("-1"), res.toString());
        assertTrue(res.at("/steps/globalAuthError").asText().contains("enter the secret"), res.toString());
        assertTrue(res.at("/steps/keyRpmError").asText().length() > 0, res.toString());
        // the save went through the diff review
        String diff = res.at("/steps/diff").asText();
        assertTrue(diff.contains("upstreams[1]") && diff.contains("models[1]"), diff);
        assertTrue(res.at("/steps/verify").asText().startsWith("OK"), res.toString());
        assertEquals("sim-renamed/pool-a (p0 w1), sim-renamed/pool-b (p0 w1)", res.at("/steps/renamedDeployments").asText());

        // the stored document: the new upstream with its own key, the pooled model with two deployments
        JsonNode stored = new ObjectMapper().readTree(Files.readString(dir.resolve("config.json")));
        JsonNode up = stored.at("/upstreams/1");
        assertEquals("sim2", up.path("name").asText());
        assertEquals("apiKey", up.at("/auth/mode").asText());
        assertEquals(SIM_KEY, up.at("/auth/apiKey").asText(), "the key typed in the form is stored");
        assertEquals(SIM_KEY, stored.at("/auth/apiKey").asText(), "the masked global key was kept");
        JsonNode model = stored.at("/models/1");
        assertEquals("pool-model", model.path("id").asText());
        assertEquals("gpt-4o", model.path("family").asText());
        assertEquals(2, model.path("deployments").size(), model.toString());
        assertEquals(100, model.at("/limits/rpm").asInt());
        assertEquals(2.0, model.at("/pricing/outputPer1M").asDouble());
        assertEquals("gpt-4o-mini", model.at("/fallbacks/0").asText());
        // requests through the new model reached the simulator as one of its two deployments
        assertTrue(res.at("/steps/poolAnswers").asInt() >= 3, res.toString());
        long pooled = sim.requests().stream().filter(r -> r.body().contains("\"pool-a\"") || r.body().contains("\"pool-b\"")).count();
        assertTrue(pooled >= 3, "requests for pool-a/pool-b at the simulator: " + pooled);

        // the key created with rpm 2: two answers, then 429, and the Keys tab shows 2 of 2
        JsonNode key = stored.at("/apiKeys/1");
        assertEquals("limited", key.path("id").asText());
        assertEquals(2, key.at("/limits/rpm").asInt());
        assertEquals("team-forms", key.path("owner").asText());
        assertEquals("edited in the form", key.path("note").asText(), "the edit form saved through the review");
        assertEquals("[200,200,429]", res.at("/steps/limitedStatuses").toString());
        assertEquals("rate_limit_exceeded", res.at("/steps/limitedCode").asText());
        assertEquals("2", res.at("/steps/usageRpmUsed").asText());
        assertEquals("2", res.at("/steps/usageRpmLimit").asText());
        assertTrue(res.at("/steps/usageTokensToday").asText().matches("[1-9][0-9,]*"), res.toString());
        assertTrue(res.at("/steps/keyDiff").asText().contains("note"), res.toString());
        assertTrue(res.at("/steps/tableUsage").asText().startsWith("2 / 2 req"), res.toString());

        // secrets: never on the page
        assertFalse(res.at("/steps/pageHasSimKey").asBoolean(), "the upstream key is not echoed");
        assertEquals(0, res.get("consoleErrors").size(), res.get("consoleErrors").toString());
        assertEquals(0, res.at("/steps/zhMissing").size(), res.at("/steps/zhMissing").toString());
        for (String shot : List.of("forms-01-upstream-error-1400", "forms-02-model-1400", "forms-03-review-1400",
                "forms-04-keys-usage-1400", "forms-05-upstream-390", "forms-06-model-390", "forms-07-keys-390",
                "forms-08-zh-config-1400")) {
            assertTrue(Files.size(shots.resolve(shot + ".png")) > 1000, shot);
        }
    }
}
