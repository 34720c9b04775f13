package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The deterministic answer model and the request parsers. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class CompletionPlannerTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private Prompt chat(String json) throws Exception {
        return PromptParser.fromChat(mapper.readTree(json), "dep");
    }

    @Test
    void sameRequestSameAnswer() throws Exception {
        Prompt p = chat("{\"messages\":[{\"role\":\"system\",\"content\":\"be nice\"},{\"role\":\"user\","
                + "\"content\":[{\"type\":\"text\",\"text\":\"one two three\"}]}]}");
        assertEquals(2 + 3 + 2, p.promptTokens(), "words plus one per message");
        assertEquals("one two three", p.lastUserText());
        Completion a = CompletionPlanner.plan(p, false, null, false);
        Completion b = CompletionPlanner.plan(p, false, null, false);
        assertEquals(a, b);
        assertEquals("Hello from dep: you said 3 words.", a.text());
        assertEquals(a.deltas().size(), a.completionTokens());
        assertNull(a.toolCall());
        assertFalse(a.truncated());
    }

    @Test
    void tokensHeaderPadsOrCuts() throws Exception {
        Prompt p = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(50, CompletionPlanner.plan(p, false, 50, false).deltas().size());
        Completion two = CompletionPlanner.plan(p, false, 2, false);
        assertEquals(List.of("Hello", " from"), two.deltas());
        assertFalse(two.truncated(), "x-sim-tokens is the natural length, not a limit");
    }

    @Test
    void maxTokensTruncates() throws Exception {
        Prompt p = chat("{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        Completion c = CompletionPlanner.plan(p, false, null, false);
        assertTrue(c.truncated());
        assertEquals(2, c.completionTokens());
        Prompt q = chat("{\"max_completion_tokens\":1,\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        assertEquals(1, q.maxTokens());
    }

    @Test
    void reasoningAddsTokensAndSummary() throws Exception {
        Completion c = CompletionPlanner.plan(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                true, null, false);
        assertEquals(CompletionPlanner.REASONING_TOKENS, c.reasoningTokens());
        assertEquals(c.deltas().size() + CompletionPlanner.REASONING_TOKENS, c.completionTokens());
        assertNotNull(c.reasoningSummary());
    }

    @Test
    void reasoningByName() {
        assertTrue(DeploymentSettings.looksLikeReasoning("o4-mini"));
        assertTrue(DeploymentSettings.looksLikeReasoning("o1"));
        assertTrue(DeploymentSettings.looksLikeReasoning("gpt-5-mini"));
        assertFalse(DeploymentSettings.looksLikeReasoning("gpt-4o"));
        assertFalse(DeploymentSettings.looksLikeReasoning("omni"));
        assertFalse(DeploymentSettings.defaults().withReasoning(false).reasoningFor("o3"));
        assertTrue(DeploymentSettings.defaults().withReasoning(true).reasoningFor("gpt-4o"));
    }

    @Test
    void toolChoiceRules() throws Exception {
        String tools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"lookup\"}},{\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\"}}]";
        Completion weather = CompletionPlanner.plan(chat("{" + tools + ",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Weather in Berlin please\"}]}"), false, null, false);
        assertEquals("get_weather", weather.toolCall().name());
        assertEquals("{\"location\":\"Berlin\"}", weather.toolCall().arguments());
        assertEquals(weather.toolCall().argumentPieces().size(), weather.completionTokens());

        assertNull(CompletionPlanner.plan(chat("{" + tools + ",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"hello\"}]}"), false, null, false).toolCall());
        assertEquals("get_weather", CompletionPlanner.plan(chat("{" + tools + ",\"tool_choice\":\"required\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"), false, null, false).toolCall()
                .name(), "required prefers a weather tool");
        assertEquals("lookup", CompletionPlanner.plan(chat("{\"tools\":[{\"type\":\"function\",\"function\":"
                + "{\"name\":\"lookup\"}}],\"tool_choice\":\"required\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hello\"}]}"), false, null, false).toolCall().name(), "else the first tool");
        assertNull(CompletionPlanner.plan(chat("{" + tools + ",\"tool_choice\":\"none\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"weather\"}]}"), false, null, false).toolCall());
        assertNull(CompletionPlanner.plan(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"weather\"}]}"),
                false, null, false).toolCall(), "no tools, no call");
    }

    @Test
    void responsesInputShapes() throws Exception {
        JsonNode body = mapper.readTree("{\"instructions\":\"be brief\",\"input\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"what is up\"}]},{\"type\":\"function_call\",\"call_id\":\"c\","
                + "\"name\":\"f\",\"arguments\":\"{}\"},{\"type\":\"function_call_output\",\"call_id\":\"c\","
                + "\"output\":\"42\"}],\"max_output_tokens\":16,\"tools\":[{\"type\":\"function\",\"name\":\"f\"}],"
                + "\"tool_choice\":{\"type\":\"function\",\"name\":\"f\"}}");
        Prompt p = PromptParser.fromResponses(body, "dep");
        assertEquals("what is up", p.lastUserText());
        assertEquals("42", p.toolOutput());
        assertEquals(16, p.maxTokens());
        assertEquals(List.of("f"), p.toolNames());
        assertEquals("f", p.forcedTool());
        Completion c = CompletionPlanner.plan(p, false, null, false);
        assertNull(c.toolCall(), "a tool result is answered with text");
        assertTrue(c.text().contains("42"));
        assertEquals("hi", PromptParser.fromResponses(mapper.readTree("{\"input\":\"hi\"}"), "d").lastUserText());
    }

    @Test
    void multibyteContentForSplitUtf8() throws Exception {
        Completion c = CompletionPlanner.plan(chat("{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                false, null, true);
        assertTrue(c.text().startsWith("你好世界 😀"));
    }

    @Test
    void wordsWithoutRegex() {
        assertEquals(List.of("a", "b", "c"), CompletionPlanner.words("  a\tb\n c "));
        assertEquals(3, CompletionPlanner.countWords("  a\tb\n c "));
        assertEquals(0, CompletionPlanner.countWords(""));
        assertEquals("Paris", CompletionPlanner.location("weather?"));
        assertEquals("New", CompletionPlanner.location("weather in New York"));
    }
}
