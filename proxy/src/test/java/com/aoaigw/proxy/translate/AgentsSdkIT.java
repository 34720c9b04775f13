package com.aoaigw.proxy.translate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An OpenAI Agents SDK agent ({@code @openai/agents}, zod-validated tools) with two tools, through the proxy to
 * foundry-sim: Responses and Chat Completions, streamed and not, and the chat → responses route. Each tool must
 * really run (its arguments passed the SDK's validation), which needs the simulator to fill the tool's schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class AgentsSdkIT {
    private static final String KEY = "agents-client-key";
    private FoundrySim sim;
    private ProxyServer proxy;

    @BeforeAll
    void start() throws Exception {
        sim = FoundrySim.start(SimSettings.defaults());
        Path config = Files.createTempDirectory("agents-it").resolve("config.json");
        Files.writeString(config, """
                {"auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"agents","key":"%s"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[{"id":"gpt-4o","upstream":"sim"},
                           {"id":"gpt-4o-routed","upstream":"sim","targetModel":"gpt-4o",
                            "routes":{"chat/completions":"responses"}}]}
                """.formatted(KEY, sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(config));
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

    @Test
    void eachToolRunsWithValidArgumentsOnEveryRoute() throws Exception {
        JsonNode out = NodeRunner.run("/node/agents-check.mjs", Map.of(
                "BASE", "http://127.0.0.1:" + proxy.port(), "KEY", KEY, "MODEL", "gpt-4o",
                "ROUTED_MODEL", "gpt-4o-routed"));
        for (String run : new String[] {"responses", "responsesStream", "chat", "chatStream", "chatToResponses",
                "chatToResponsesStream"}) {
            JsonNode weather = out.path(run).path("weather");
            assertFalse(weather.has("error"), run + ": " + weather);
            assertEquals(1, weather.path("calls").size(), run + " weather: " + weather);
            assertEquals("get_weather", weather.at("/calls/0/tool").asText());
            assertEquals("Oslo", weather.at("/calls/0/args/city").asText(), run);
            assertTrue(weather.path("finalOutput").asText().contains("Sunny and 21 C in Oslo"), run + ": " + weather);

            JsonNode convert = out.path(run).path("convert");
            assertFalse(convert.has("error"), run + ": " + convert);
            assertEquals(1, convert.path("calls").size(), run + " convert: " + convert);
            JsonNode args = convert.at("/calls/0/args");
            assertEquals("convert_units", convert.at("/calls/0/tool").asText());
            assertTrue(args.path("value").isNumber(), run + ": " + args);
            assertEquals("km", args.path("from").asText());
            assertEquals("mi", args.path("to").asText());
            assertTrue(args.at("/options/precision").isIntegralNumber(), run + ": " + args);
            assertTrue(args.at("/options/tags").isArray(), run + ": " + args);
            assertFalse(convert.path("finalOutput").asText().contains("An error occurred"), run + ": " + convert);
        }
    }
}
