package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The official Node SDK (openai@6 from tools.dir) against the proxy in front of the simulator. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NodeSdkIT {
    static Path toolsDir() {
        String p = System.getProperty("tools.dir");
        Path dir = p != null && !p.isBlank() ? Path.of(p) : Path.of("..", "tools");
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("openai"))) {
            fail("openai@6 is missing under " + dir.toAbsolutePath() + "/node_modules: run scripts/install-tools.sh");
        }
        return dir.toAbsolutePath();
    }

    @Test
    void nodeSdkSeesOpenAiBehaviour() throws Exception {
        Path tools = toolsDir();
        Path script = Files.createTempFile("sdk-check", ".mjs");
        try (InputStream in = NodeSdkIT.class.getResourceAsStream("/node/sdk-check.mjs")) {
            Files.write(script, in.readAllBytes());
        }
        Path dir = Files.createTempDirectory("node-sdk-it");
        try (FoundrySim sim = FoundrySim.start(SimSettings.defaults())) {
            Path cfg = dir.resolve("config.json");
            Files.writeString(cfg, """
                    {"auth":{"mode":"apiKey","apiKey":"sim-key"},
                     "apiKeys":[{"id":"node","key":"node-key"}],
                     "upstreams":[{"name":"sim","baseUrl":"%s"}],
                     "models":[{"id":"gpt-4o-mini","upstream":"sim"},{"id":"text-embedding-3-small","upstream":"sim"},
                               {"id":"classic-model","upstream":"sim","targetModel":"gpt-4o-mini"}]}
                    """.formatted(sim.baseUrl()));
            ProxyServer proxy = ProxyServer.start(ProcessSettings.forTest(cfg).withForwardHeaders(List.of("x-sim-*")));
            try {
                ProcessBuilder pb = new ProcessBuilder("node", script.toString());
                pb.environment().put("TOOLS_DIR", tools.toString());
                pb.environment().put("BASE", "http://127.0.0.1:" + proxy.port());
                pb.environment().put("KEY", "node-key");
                pb.environment().put("MODEL", "gpt-4o-mini");
                pb.environment().put("CLASSIC_MODEL", "classic-model");
                pb.redirectError(ProcessBuilder.Redirect.INHERIT);
                Process p;
                try {
                    p = pb.start();
                } catch (IOException e) {
                    throw new AssertionError("node is not on PATH (install Node 20+)", e);
                }
                String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(150, TimeUnit.SECONDS), "node did not finish");
                assertEquals(0, p.exitValue(), stdout);
                JsonNode r = new ObjectMapper().readTree(stdout);
                System.out.println("node sdk: " + r);

                assertFalse(r.at("/chat/text").asText().isEmpty(), r.toString());
                assertTrue(r.at("/chat/promptTokens").asInt() > 0);
                assertFalse(r.at("/chatStream/text").asText().isEmpty(), r.toString());
                assertEquals(0, r.at("/chatStream/usageChunks").asInt(), "the injected usage chunk is dropped");
                assertFalse(r.at("/responsesStream/text").asText().isEmpty(), r.toString());
                assertTrue(r.at("/responsesStream/outputTokens").asInt() > 0);
                assertTrue(r.at("/openaiV1ApiKeyHeader/dims").asInt() > 0, r.toString());
                assertFalse(r.at("/azureClassic/text").asText().isEmpty(), r.toString());
                assertFalse(r.at("/azureClassic/streamText").asText().isEmpty(), r.toString());

                // AzureOpenAI.models.list() and retrieve() call GET /openai/models[/{id}]?api-version=
                assertEquals("[\"gpt-4o-mini\",\"text-embedding-3-small\",\"classic-model\"]",
                        r.at("/azureModels/ids").toString(), r.toString());
                assertEquals("gpt-4o-mini", r.at("/azureModels/retrieved").asText(), r.toString());

                JsonNode rl = r.get("rateLimit");
                assertTrue(rl.path("isRateLimit").asBoolean(), rl.toString());
                assertEquals(429, rl.path("status").asInt());
                assertEquals("250", rl.path("retryAfterMs").asText());
                assertFalse(rl.path("retryAfter").isNull() || rl.path("retryAfter").isMissingNode(), rl.toString());
                assertEquals("0", rl.path("remaining").asText());
                assertFalse(rl.path("apim").asText().isEmpty(), rl.toString());
                assertFalse(rl.path("region").asText().isEmpty(), rl.toString());

                JsonNode cf = r.get("contentFilter");
                assertTrue(cf.path("isBadRequest").asBoolean(), cf.toString());
                assertEquals("content_filter", cf.path("code").asText());
                assertTrue(cf.path("message").asText().contains("content management policy"), cf.toString());

                JsonNode ms = r.get("midStreamError");
                assertTrue(ms.path("thrown").asBoolean(), "an error event in the stream throws in the SDK: " + ms);

                assertEquals(401, r.at("/badKey/status").asInt());
                assertEquals("invalid_api_key", r.at("/badKey/code").asText());

                boolean sawClassic = false;
                for (RecordedRequest q : sim.requests()) {
                    assertEquals(null, q.header("authorization"), "client credentials never reach Azure");
                    sawClassic |= q.path().equals("/openai/v1/chat/completions")
                            && q.body().contains("\"model\":\"gpt-4o-mini\"");
                }
                assertTrue(sawClassic);
            } finally {
                proxy.stop();
            }
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
