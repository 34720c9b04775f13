package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.openai.azure.AzureOpenAIServiceVersion;
import com.openai.azure.AzureUrlPathMode;
import com.openai.azure.credential.AzureApiKeyCredential;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ResponseUsage;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The official openai-java SDK against the simulator, v1 and classic. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpenAiJavaIT {
    private FoundrySim sim;
    private OpenAIClient client;

    @BeforeAll
    void start() {
        sim = FoundrySim.start(SimSettings.defaults());
        client = OpenAIOkHttpClient.builder()
                .baseUrl(sim.baseUrl() + "/openai/v1")
                .apiKey(SimHttp.KEY)
                .maxRetries(0)
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    void stop() {
        client.close();
        sim.stop();
    }

    @Test
    void chatStreamAndNonStreamAgree() {
        ChatCompletionCreateParams p = ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini")
                .addUserMessage("hello java sdk")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        StringBuilder sb = new StringBuilder();
        AtomicReference<CompletionUsage> usage = new AtomicReference<>();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions().createStreaming(p)) {
            s.stream().forEach(ch -> {
                ch.choices().forEach(c -> c.delta().content().ifPresent(sb::append));
                ch.usage().ifPresent(usage::set);
            });
        }
        ChatCompletion plain = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model("gpt-4o-mini").addUserMessage("hello java sdk").build());
        assertEquals(plain.choices().getFirst().message().content().orElseThrow(), sb.toString());
        assertEquals(plain.usage().orElseThrow().completionTokens(), usage.get().completionTokens());
        assertEquals(plain.usage().orElseThrow().promptTokens(), usage.get().promptTokens());
    }

    @Test
    void responsesStream() {
        StringBuilder sb = new StringBuilder();
        AtomicReference<ResponseUsage> usage = new AtomicReference<>();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(
                ResponseCreateParams.builder().model("gpt-5-mini").input("hi").build())) {
            s.stream().forEach(ev -> {
                ev.outputTextDelta().ifPresent(d -> sb.append(d.delta()));
                ev.completed().ifPresent(c -> c.response().usage().ifPresent(usage::set));
            });
        }
        assertTrue(sb.toString().startsWith("Hello from gpt-5-mini"), sb.toString());
        assertEquals(CompletionPlanner.REASONING_TOKENS, usage.get().outputTokensDetails().reasoningTokens());
    }

    @Test
    void classicPathWithApiKey() {
        OpenAIClient azure = OpenAIOkHttpClient.builder()
                .baseUrl(sim.baseUrl())
                .credential(AzureApiKeyCredential.create(SimHttp.KEY))
                .azureServiceVersion(AzureOpenAIServiceVersion.fromString("2024-10-21"))
                .azureUrlPathMode(AzureUrlPathMode.LEGACY)
                .maxRetries(0)
                .build();
        try {
            ChatCompletion c = azure.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model("legacy-deploy").addUserMessage("hi").build());
            assertEquals("legacy-deploy", c.model());
            assertTrue(sim.requests().stream().anyMatch(r -> r.path().equals(
                    "/openai/deployments/legacy-deploy/chat/completions")));
        } finally {
            azure.close();
        }
    }
}
