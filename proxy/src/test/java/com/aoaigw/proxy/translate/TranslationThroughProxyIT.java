package com.aoaigw.proxy.translate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.ProxyServer;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.Fault;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official SDKs through the whole proxy against foundry-sim, for models whose {@code routes} send chat clients
 * to the Responses API (gpt-5-mini, a reasoning model) and Responses clients to chat (gpt-4o-mini, o4-mini):
 * streaming and not, tool calls round trips, reasoning models, a split UTF-8 stream, untranslatable requests, and
 * what the simulator actually received.
 */
@Timeout(180)
class TranslationThroughProxyIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    @TempDir
    static Path dir;
    private static FoundrySim sim;
    private static ProxyServer proxy;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        sim = FoundrySim.start(SimSettings.builder().defaultDeployment(DeploymentSettings.zeroLatency())
                .deployment("gpt-5-mini-split", DeploymentSettings.zeroLatency().withFault(Fault.SPLIT_UTF8))
                .strictDeployments(false).build());
        Path config = dir.resolve("config.json");
        Files.writeString(config, """
                {"auth":{"mode":"apiKey","apiKey":"sim-key"},
                 "apiKeys":[{"id":"test","key":"client-key"}],
                 "upstreams":[{"name":"sim","baseUrl":"%s"}],
                 "models":[
                  {"id":"chat-on-responses","upstream":"sim","targetModel":"gpt-5-mini",
                   "routes":{"chat/completions":"responses"}},
                  {"id":"chat-on-responses-split","upstream":"sim","targetModel":"gpt-5-mini-split",
                   "routes":{"chat/completions":"responses"}},
                  {"id":"responses-on-chat","upstream":"sim","targetModel":"gpt-4o-mini",
                   "routes":{"responses":"chat/completions"}},
                  {"id":"o-responses-on-chat","upstream":"sim","targetModel":"o4-mini",
                   "routes":{"responses":"chat/completions"}}]}
                """.formatted(sim.baseUrl()));
        proxy = ProxyServer.start(ProcessSettings.forTest(config));
        client = OpenAIOkHttpClient.builder().baseUrl(baseUrl()).apiKey("client-key").maxRetries(0)
                .timeout(Duration.ofSeconds(30)).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (proxy != null) {
            proxy.stop();
        }
        if (sim != null) {
            sim.close();
        }
    }

    private static String baseUrl() {
        return "http://127.0.0.1:" + proxy.port() + "/v1";
    }

    @Test
    void nodeSdkThroughTheProxy() throws Exception {
        JsonNode out = NodeRunner.run("/translate/sdk/proxy-sdk.mjs", Map.of("BASE_URL", baseUrl()));
        String all = out.toString();

        JsonNode chatStream = out.path("chatStream");
        assertTrue(chatStream.path("content").asText().startsWith("Hello from gpt-5-mini"), all);
        assertEquals("stop", chatStream.path("finish").asText(), all);
        assertTrue(chatStream.path("usage").path("completion_tokens_details").path("reasoning_tokens").asInt() > 0,
                all);
        assertTrue(chatStream.path("chunks").asInt() >= 3, all);

        JsonNode tools = out.path("chatStreamTools");
        assertEquals("tool_calls", tools.path("finish").asText(), all);
        assertEquals("get_weather", tools.path("toolCalls").path(0).path("function").path("name").asText(), all);
        assertEquals("{\"location\":\"Oslo\"}", tools.path("toolCalls").path(0).path("function").path("arguments")
                .asText(), all);

        JsonNode roundTrip = out.path("chatToolRoundTrip");
        assertEquals("tool_calls", roundTrip.path("firstFinish").asText(), all);
        assertEquals("The tool returned: sunny", roundTrip.path("content").asText(), all);
        assertEquals("stop", roundTrip.path("finish").asText(), all);

        assertTrue(out.path("chatSplitUtf8").path("content").asText().startsWith("你好世界"), all);
        assertFalse(out.path("chatSplitUtf8").path("content").asText().contains("\uFFFD"), all);

        assertEquals("length", out.path("chatStreamLength").path("finish").asText(), all);
        assertEquals("Hello from", out.path("chatStreamLength").path("content").asText(), all);
        assertEquals("incomplete", out.path("responsesStreamLength").path("status").asText(), all);
        assertEquals("max_output_tokens", out.path("responsesStreamLength").path("reason").asText(), all);

        assertEquals(400, out.path("chatRejected").path("status").asInt(), all);
        assertTrue(out.path("chatRejected").path("message").asText().contains("n must be 1"), all);

        JsonNode responsesStream = out.path("responsesStream");
        assertTrue(responsesStream.path("outputText").asText().startsWith("Hello from gpt-4o-mini"), all);
        assertEquals("completed", responsesStream.path("status").asText(), all);
        assertEquals("response.created", responsesStream.path("types").path(0).asText(), all);
        assertEquals("response.completed", responsesStream.path("types").path(responsesStream.path("types").size() - 1)
                .asText(), all);
        assertTrue(responsesStream.path("usage").path("output_tokens").asInt() > 0, all);

        JsonNode responsesRoundTrip = out.path("responsesToolRoundTrip");
        assertEquals("{\"location\":\"Oslo\"}", responsesRoundTrip.path("arguments").asText(), all);
        assertEquals("The tool returned: sunny", responsesRoundTrip.path("outputText").asText(), all);

        JsonNode reasoning = out.path("responsesReasoning");
        assertTrue(reasoning.path("outputText").asText().startsWith("Hello from o4-mini"), all);
        assertTrue(reasoning.path("usage").path("output_tokens_details").path("reasoning_tokens").asInt() > 0, all);

        assertEquals(400, out.path("responsesRejected").path("status").asInt(), all);
        assertTrue(out.path("responsesRejected").path("message").asText().contains("web_search_preview"), all);

        // What Azure (the simulator) received.
        List<RecordedRequest> seen = sim.requests();
        JsonNode chatAsResponses = body(seen, "/openai/v1/responses", "sys one");
        JsonNode input = chatAsResponses.path("input");
        assertEquals("system", input.path(0).path("role").asText(), chatAsResponses.toString());
        assertEquals("developer", input.path(1).path("role").asText());
        assertEquals("user", input.path(2).path("role").asText());
        assertEquals(50, chatAsResponses.path("max_output_tokens").asInt());
        assertEquals("minimal", chatAsResponses.path("reasoning").path("effort").asText());
        assertTrue(chatAsResponses.path("stream_options").isMissingNode());

        JsonNode responsesAsChat = body(seen, "/openai/v1/chat/completions", "dev one");
        assertEquals("system", responsesAsChat.path("messages").path(0).path("role").asText());
        assertEquals("be brief", responsesAsChat.path("messages").path(0).path("content").asText());
        assertEquals("developer", responsesAsChat.path("messages").path(1).path("role").asText());
        assertTrue(responsesAsChat.path("stream_options").path("include_usage").asBoolean());

        JsonNode oSeries = body(seen, "/openai/v1/chat/completions", "\"think\"");
        assertEquals("high", oSeries.path("reasoning_effort").asText(), oSeries.toString());
        assertTrue(oSeries.path("reasoning").isMissingNode());
    }

    @Test
    void javaSdkChatClientOfResponsesBackend() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("chat-on-responses")
                .addUserMessage("weather in Paris?")
                .addTool(ChatCompletionFunctionTool.builder().function(FunctionDefinition.builder().name("get_weather")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .build()).build()).build())
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ChatCompletion completion = accumulator.chatCompletion();
        ChatCompletion.Choice choice = completion.choices().getFirst();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        assertEquals("{\"location\":\"Paris\"}", choice.message().toolCalls().orElseThrow().getFirst().asFunction()
                .function().arguments());
        assertNotNull(completion.usage().orElseThrow());

        ChatCompletion plain = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("chat-on-responses").addUserMessage("hello there").build());
        assertTrue(plain.choices().getFirst().message().content().orElseThrow().startsWith("Hello from gpt-5-mini"));
        assertTrue(plain.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens().orElseThrow()
                > 0);
    }

    @Test
    void javaSdkResponsesClientOfChatBackend() {
        ResponseCreateParams params = ResponseCreateParams.builder().model("responses-on-chat")
                .input("weather in Rome?")
                .addTool(FunctionTool.builder().name("get_weather").strict(false)
                        .parameters(FunctionTool.Parameters.builder()
                                .putAdditionalProperty("type", JsonValue.from("object")).build()).build())
                .build();
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Response response = accumulator.response();
        assertEquals("{\"location\":\"Rome\"}", response.output().stream().filter(i -> i.isFunctionCall())
                .findFirst().orElseThrow().asFunctionCall().arguments());
        assertTrue(response.usage().orElseThrow().totalTokens() > 0);

        Response plain = client.responses().create(ResponseCreateParams.builder().model("o-responses-on-chat")
                .input("hello there").build());
        plain.validate();
        assertTrue(plain.output().getFirst().asMessage().content().getFirst().asOutputText().text()
                .startsWith("Hello from o4-mini"));
    }

    private static JsonNode body(List<RecordedRequest> seen, String path, String marker) throws Exception {
        for (RecordedRequest request : seen.reversed()) {
            if (request.path().equals(path) && request.body().contains(marker)) {
                return MAPPER.readTree(request.body());
            }
        }
        throw new AssertionError("the simulator saw no " + path + " request containing " + marker + ": " + seen);
    }
}
