package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The official OpenAI Node SDK (openai@6 from the tools folder) against the simulator. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeSdkIT {

    /** The tools folder: the {@code tools.dir} system property, else {@code tools/} in an enclosing folder. */
    static Path toolsDir() {
        String prop = System.getProperty("tools.dir");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tools/package.json"))) {
                return p.resolve("tools");
            }
        }
        return Path.of("tools");
    }

    @Test
    void officialNodeSdkUnderstandsTheSimulator() throws Exception {
        Path openai = toolsDir().resolve("node_modules/openai/index.mjs");
        if (!Files.isRegularFile(openai)) {
            fail("The OpenAI Node SDK is missing at " + openai + ": run scripts/install-tools.sh first");
        }
        Path script = Files.createTempFile("node-sdk-probe", ".mjs");
        try (InputStream in = NodeSdkIT.class.getResourceAsStream("/node-sdk-probe.mjs");
             FoundrySim sim = FoundrySim.start(SimSettings.defaults())) {
            Files.write(script, in.readAllBytes());
            ProcessBuilder pb = new ProcessBuilder(List.of("node", script.toString()));
            pb.environment().put("OPENAI_MODULE_URL", openai.toUri().toString());
            pb.environment().put("SIM_BASE_URL", sim.baseUrl());
            pb.environment().put("SIM_KEY", SimHttp.KEY);
            pb.redirectErrorStream(true);
            Process p;
            try {
                p = Watchdog.killAfter(pb.start(), 75);
            } catch (java.io.IOException e) {
                fail("cannot run node (is Node.js 20+ on the PATH?): " + e.getMessage());
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node finished");
            String text = out.toString(StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), text);
            JsonNode r = SimHttp.json(text.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                    .orElseThrow(() -> new AssertionError("no JSON from node: " + text)));

            assertEquals("Hello from gpt-4o-mini: you said 3 words.", r.path("chat").path("text").asText());
            assertEquals(r.path("chat").path("text"), r.path("chatStream").path("text"));
            assertEquals(r.path("chat").path("usage"), r.path("chatStream").path("usage"));

            assertEquals(r.path("chat").path("text"), r.path("faults").path("stall-before-first-event"));
            assertEquals("你好世界 😀 " + r.path("chat").path("text").asText(),
                    r.path("faults").path("split-utf8").asText());

            assertEquals("reasoning", r.path("responses").path("types").get(0).asText());
            assertEquals("message", r.path("responses").path("types").get(1).asText());
            assertTrue(r.path("responses").path("text").asText().startsWith("Hello from o4-mini"));
            assertEquals(r.path("responses").path("text"), r.path("responsesStream").path("text"));
            assertEquals(r.path("responses").path("usage"), r.path("responsesStream").path("usage"));
            assertEquals("response.created", r.path("responsesStream").path("first").asText());
            assertEquals("response.completed", r.path("responsesStream").path("last").asText());

            assertEquals(2, r.path("embeddings").path("count").asInt());
            assertEquals(EmbeddingsRenderer.DEFAULT_DIMENSIONS, r.path("embeddings").path("dims").asInt());

            assertEquals("classic-deploy", r.path("classic").path("model").asText());
            assertTrue(sim.requests().stream().anyMatch(q -> q.path().equals(
                    "/openai/deployments/classic-deploy/chat/completions") && q.query().contains("api-version=")
                    && SimHttp.KEY.equals(q.header("api-key"))), "classic call used the deployment path and api-key");

            assertTrue(r.path("rateLimit").path("thrown").asBoolean());
            assertEquals(429, r.path("rateLimit").path("status").asInt());
            assertEquals("1200", r.path("rateLimit").path("retryAfterMs").asText());
        } finally {
            Files.deleteIfExists(script);
        }
    }
}
