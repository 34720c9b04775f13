package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.OpenAIException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionFunctionTool;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official SDKs (Node {@code openai@6} and openai-java) consume translated answers through their own stream
 * helpers and models: chat clients of a responses backend and responses clients of a chat backend, streaming and
 * not, with tool calls, a reasoning model and upstream failures.
 */
@Timeout(120)
class TranslatedSdkIT {
    private static TranslatingEndpoint endpoint;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws IOException {
        endpoint = new TranslatingEndpoint();
        client = OpenAIOkHttpClient.builder().baseUrl(endpoint.baseUrl()).apiKey("test-key").maxRetries(0)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        endpoint.close();
    }

    @Test
    void nodeSdkAcceptsTranslatedAnswers() throws Exception {
        JsonNode out = NodeRunner.run("/translate/sdk/translate-sdk.mjs", java.util.Map.of("BASE_URL", endpoint.baseUrl()));

        JsonNode chatStreamText = out.path("chatStreamText");
        assertEquals("Hello", chatStreamText.path("content").asText(), out.toString());
        assertEquals("stop", chatStreamText.path("finish").asText());
        assertEquals(5, chatStreamText.path("usage").path("prompt_tokens").asInt());
        assertEquals(1, chatStreamText.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt());

        JsonNode chatStreamTools = out.path("chatStreamTools");
        assertEquals("tool_calls", chatStreamTools.path("finish").asText(), out.toString());
        assertEquals("Checking.", chatStreamTools.path("content").asText());
        assertEquals("call_w", chatStreamTools.path("toolCalls").path(0).path("id").asText());
        assertEquals("{\"city\":\"Oslo\"}", chatStreamTools.path("toolCalls").path(0).path("function")
                .path("arguments").asText());

        assertTrue(out.path("chatStreamError").path("message").asText().contains("The model crashed."),
                out.toString());
        assertEquals("Hello from responses", out.path("chatText").path("content").asText());
        assertEquals(22, out.path("chatText").path("usage").path("completion_tokens_details")
                .path("reasoning_tokens").asInt());
        assertEquals("call_y", out.path("chatTools").path("toolCalls").path(1).path("id").asText());

        JsonNode responsesStreamText = out.path("responsesStreamText");
        assertEquals("你好", responsesStreamText.path("outputText").asText(), out.toString());
        assertEquals("completed", responsesStreamText.path("status").asText());
        assertEquals(4, responsesStreamText.path("usage").path("total_tokens").asInt());
        assertEquals("response.created", responsesStreamText.path("types").path(0).asText());
        assertEquals("response.completed", responsesStreamText.path("types").path(8).asText());

        JsonNode responsesStreamTools = out.path("responsesStreamTools");
        assertEquals("On it.", responsesStreamTools.path("outputText").asText(), out.toString());
        assertEquals("function_call", responsesStreamTools.path("items").path(1).path("type").asText());
        assertEquals("call_2", responsesStreamTools.path("items").path(2).path("call_id").asText());
        assertEquals("{\"a\":1}", responsesStreamTools.path("items").path(1).path("arguments").asText());

        assertTrue(out.path("responsesStreamError").path("message").asText().contains("The server had an error."),
                out.toString());
        assertEquals("Hello!", out.path("responsesText").path("outputText").asText());
        assertEquals("BadRequestError", out.path("responsesRejected").path("thrown").asText(), out.toString());
        assertTrue(out.path("responsesRejected").path("message").asText().contains("previous_response_id"));
    }

    @Test
    void javaSdkChatClientOfResponsesBackendStreamsToolCalls() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("tools")
                .addUserMessage("weather?")
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
        assertEquals("Checking.", choice.message().content().orElseThrow());
        assertEquals("call_w", choice.message().toolCalls().orElseThrow().getFirst().asFunction().id());
        assertEquals(12, completion.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens()
                .orElseThrow());
        JsonNode upstream = endpoint.upstreamBodies().getLast();
        assertEquals("get_weather", upstream.path("tools").path(0).path("name").asText(), upstream.toString());
        assertEquals("message", upstream.path("input").path(0).path("type").asText());
        assertTrue(upstream.path("stream_options").isMissingNode(), upstream.toString());
    }

    @Test
    void javaSdkResponsesClientOfChatBackendStreams() {
        ResponseCreateParams params = ResponseCreateParams.builder().model("tools").input("go").build();
        ResponseAccumulator accumulator = ResponseAccumulator.create();
        List<String> types = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(event -> {
                accumulator.accumulate(event);
                event.validate();
                types.add(event.isCreated() ? "created" : event.isCompleted() ? "completed" : "event");
            });
        }
        Response response = accumulator.response();
        assertEquals(3, response.output().size());
        assertEquals("On it.", response.output().getFirst().asMessage().content().getFirst().asOutputText().text());
        assertEquals("call_1", response.output().get(1).asFunctionCall().callId());
        assertEquals("{\"a\":1}", response.output().get(1).asFunctionCall().arguments());
        assertEquals(17, response.usage().orElseThrow().totalTokens());
        assertEquals("created", types.getFirst());
        assertEquals("completed", types.getLast());
        JsonNode upstream = endpoint.upstreamBodies().getLast();
        assertTrue(upstream.path("stream_options").path("include_usage").asBoolean(), upstream.toString());
        assertEquals("user", upstream.path("messages").path(0).path("role").asText());
    }

    @Test
    void javaSdkResponsesClientOfChatBackendNonStreaming() {
        Response response = client.responses().create(ResponseCreateParams.builder().model("text").input("hi")
                .instructions("be brief").build());
        response.validate();
        assertEquals("Hello!", response.output().getFirst().asMessage().content().getFirst().asOutputText().text());
        assertEquals(11, response.usage().orElseThrow().totalTokens());
        assertEquals("system", endpoint.upstreamBodies().getLast().path("messages").path(0).path("role").asText());
    }

    @Test
    void javaSdkSeesUntranslatableFieldsAsBadRequest() {
        OpenAIException e = assertThrows(OpenAIException.class, () -> client.responses().create(
                ResponseCreateParams.builder().model("text").input("hi").previousResponseId("resp_1").build()));
        assertTrue(e.getMessage().contains("previous_response_id"), e.getMessage());
    }
}
