package com.aoaigw.proxy.translate;

import java.util.Set;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Table tests, one table per rule: (target API, family, stream, body in) → body out, or the 400's param. Each row
 * runs the single rule, so a row shows exactly what that rule does.
 */
@Timeout(5)
class NormalizationRuleTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static String run(NormalizationRule rule, String target, String family, boolean stream, String body)
            throws Exception {
        ObjectNode node = (ObjectNode) MAPPER.readTree(body.replace('\'', '"'));
        try {
            rule.apply(node, new NormalizationRule.RuleContext(ApiKind.fromRouteKey(target),
                    ModelFamily.fromConfigName(family).orElseThrow(), stream));
        } catch (TranslationException e) {
            return "400 " + e.param();
        }
        return node.toString().replace('"', '\'');
    }

    private static void check(NormalizationRule rule, String target, String family, boolean stream, String in,
                              String expected) throws Exception {
        String actual = run(rule, target, family, stream, in);
        if (expected.startsWith("400")) {
            assertEquals(expected, actual);
        } else {
            JsonNode want = MAPPER.readTree(expected.replace('\'', '"'));
            JsonNode got = MAPPER.readTree(actual.replace('\'', '"'));
            assertEquals(want, got, actual);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | gpt-5   | {'max_tokens':5}                            | {'max_completion_tokens':5}
            chat/completions | o-series| {'max_tokens':5,'max_completion_tokens':9}  | {'max_completion_tokens':9}
            chat/completions | gpt-4o  | {'max_tokens':5}                            | {'max_tokens':5}
            chat/completions | other   | {'max_tokens':5}                            | {'max_tokens':5}
            responses        | gpt-5   | {'max_output_tokens':5}                     | {'max_output_tokens':5}
            chat/completions | gpt-5   | {'max_tokens':null}                         | {}
            """)
    void maxCompletionTokens(String target, String family, String in, String out) throws Exception {
        check(NormalizationRule.MAX_COMPLETION_TOKENS, target, family, false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | {'top_logprobs':2}                   | {'top_logprobs':2,'logprobs':true}
            chat/completions | {'top_logprobs':2,'logprobs':false} | {'top_logprobs':2,'logprobs':false}
            chat/completions | {'logprobs':true}                    | {'logprobs':true}
            responses        | {'top_logprobs':2}                   | {'top_logprobs':2}
            """)
    void logprobsImplied(String target, String in, String out) throws Exception {
        check(NormalizationRule.LOGPROBS_IMPLIED, target, "gpt-4o", false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | gpt-5    | {'reasoning_effort':'minimal'}       | {'reasoning_effort':'minimal'}
            chat/completions | gpt-5    | {'reasoning_effort':'none'}          | {'reasoning_effort':'none'}
            chat/completions | gpt-5    | {'reasoning_effort':'xhigh'}         | {'reasoning_effort':'xhigh'}
            chat/completions | gpt-5    | {'reasoning_effort':' HIGH '}        | {'reasoning_effort':'high'}
            chat/completions | gpt-5    | {'reasoning_effort':'max'}           | 400 reasoning_effort
            chat/completions | o-series | {'reasoning_effort':'xhigh'}         | {'reasoning_effort':'high'}
            chat/completions | o-series | {'reasoning_effort':'low'}           | {'reasoning_effort':'low'}
            chat/completions | o-series | {'reasoning_effort':'minimal'}       | 400 reasoning_effort
            chat/completions | o-series | {'reasoning_effort':'none'}          | 400 reasoning_effort
            responses        | o-series | {'reasoning':{'effort':'xhigh'}}     | {'reasoning':{'effort':'high'}}
            responses        | o-series | {'reasoning':{'effort':'minimal'}}   | 400 reasoning.effort
            responses        | gpt-5    | {'reasoning':{'summary':'auto'}}     | {'reasoning':{'summary':'auto'}}
            chat/completions | gpt-4o   | {'reasoning_effort':'turbo'}         | {'reasoning_effort':'turbo'}
            chat/completions | other    | {'reasoning_effort':'turbo'}         | {'reasoning_effort':'turbo'}
            chat/completions | gpt-5    | {'reasoning_effort':null}            | {'reasoning_effort':null}
            """)
    void reasoningEffort(String target, String family, String in, String out) throws Exception {
        check(NormalizationRule.REASONING_EFFORT, target, family, false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | {'reasoning':{'effort':'low'}}                          | {'reasoning_effort':'low'}
            chat/completions | {'reasoning':'low'}                                     | {'reasoning_effort':'low'}
            chat/completions | {'thinking':{'effort':'low'}}                           | {'reasoning_effort':'low'}
            chat/completions | {'reasoning_effort':'high','thinking':'low'}             | {'reasoning_effort':'high'}
            chat/completions | {'reasoning':{'effort':'high'},'thinking':'low'}          | {'reasoning_effort':'high'}
            chat/completions | {'thinking':{'type':'disabled'}}                         | {}
            chat/completions | {'thinking':{'type':'enabled','budget_tokens':100}}       | 400 thinking
            chat/completions | {'reasoning_effort':'low'}                              | {'reasoning_effort':'low'}
            responses        | {'reasoning_effort':'low'}                              | {'reasoning':{'effort':'low'}}
            responses        | {'reasoning':'low'}                                     | {'reasoning':{'effort':'low'}}
            responses        | {'thinking':{'type':'enabled','effort':'low'}}          | {'reasoning':{'effort':'low'}}
            responses        | {'reasoning':{'summary':'auto'},'reasoning_effort':'low'}| {'reasoning':{'summary':'auto','effort':'low'}}
            responses        | {'reasoning':{'effort':'high'},'reasoning_effort':'low'} | {'reasoning':{'effort':'high'}}
            responses        | {'reasoning':{'effort':'high'}}                         | {'reasoning':{'effort':'high'}}
            embeddings       | {'reasoning_effort':'low','thinking':'x'}               | {'reasoning_effort':'low','thinking':'x'}
            """)
    void reasoningShape(String target, String in, String out) throws Exception {
        check(NormalizationRule.REASONING_SHAPE, target, "gpt-5", false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            gpt-4o   | {'reasoning_effort':'low'}          | 400 reasoning_effort
            gpt-4.1  | {'reasoning':{'effort':'low'}}      | 400 reasoning
            gpt-35   | {'thinking':'low'}                  | 400 thinking
            gpt-4    | {'reasoning_effort':null}           | {'reasoning_effort':null}
            gpt-5    | {'reasoning_effort':'low'}          | {'reasoning_effort':'low'}
            other    | {'reasoning_effort':'low'}          | {'reasoning_effort':'low'}
            """)
    void rejectReasoning(String family, String in, String out) throws Exception {
        check(NormalizationRule.REJECT_REASONING, "chat/completions", family, false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            gpt-4o   | {'reasoning_effort':'low','thinking':'x','reasoning':{},'a':1} | {'a':1}
            gpt-5    | {'reasoning_effort':'low'}                                    | {'reasoning_effort':'low'}
            other    | {'reasoning_effort':'low'}                                    | {'reasoning_effort':'low'}
            """)
    void stripReasoning(String family, String in, String out) throws Exception {
        check(NormalizationRule.STRIP_REASONING, "chat/completions", family, false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            responses        | {'tools':[{'type':'web_search'}]}                      | 400 tools
            responses        | {'tools':[{'type':'WEB_SEARCH_PREVIEW_2025_03_11'}]}   | 400 tools
            chat/completions | {'tools':[{'type':'function','function':{'name':'web_search'}}]} | {'tools':[{'type':'function','function':{'name':'web_search'}}]}
            responses        | {'tool_choice':{'type':'web_search_preview'}}          | 400 tool_choice
            chat/completions | {'web_search_options':{}}                              | 400 web_search_options
            responses        | {'tools':[{'type':'file_search'}]}                     | {'tools':[{'type':'file_search'}]}
            """)
    void rejectWebSearch(String target, String in, String out) throws Exception {
        check(NormalizationRule.REJECT_WEB_SEARCH, target, "gpt-5", false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | {'service_tier':'auto','serviceTier':'x','a':1} | {'a':1}
            responses        | {'service_tier':'auto'}                         | {}
            embeddings       | {'service_tier':'auto'}                         | {'service_tier':'auto'}
            """)
    void stripServiceTier(String target, String in, String out) throws Exception {
        check(NormalizationRule.STRIP_SERVICE_TIER, target, "gpt-5", false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | gpt-5  | {'verbosity':'low'}                          | {'verbosity':'low'}
            chat/completions | gpt-4o | {'verbosity':'low'}                          | {}
            responses        | gpt-5  | {'verbosity':'low'}                          | {'text':{'verbosity':'low'}}
            responses        | gpt-5  | {'verbosity':'low','text':{'verbosity':'high'}} | {'text':{'verbosity':'high'}}
            responses        | gpt-4.1| {'text':{'verbosity':'low','format':{'type':'text'}}} | {'text':{'format':{'type':'text'}}}
            """)
    void stripVerbosity(String target, String family, String in, String out) throws Exception {
        check(NormalizationRule.STRIP_VERBOSITY, target, family, false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions | {'top_k':3,'top_p':1} | {'top_p':1}
            responses        | {'top_k':3}           | {}
            embeddings       | {'top_k':3}           | {'top_k':3}
            """)
    void stripTopK(String target, String in, String out) throws Exception {
        check(NormalizationRule.STRIP_TOP_K, target, "gpt-4o", false, in, out);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            chat/completions   | true  | {'stream_options':{'include_usage':true}} | {'stream_options':{'include_usage':true}}
            chat/completions   | false | {'stream_options':{'include_usage':true}} | {}
            responses          | true  | {'stream_options':{}}                     | {'stream_options':{}}
            responses          | false | {'stream_options':{}}                     | {}
            images/generations | true  | {'stream_options':{}}                     | {}
            """)
    void streamOptions(String target, boolean stream, String in, String out) throws Exception {
        check(NormalizationRule.STREAM_OPTIONS, target, "gpt-4o", stream, in, out);
    }

    @Test
    void ruleNamesAreUniqueAndKebabCase() {
        Set<String> names = new java.util.HashSet<>();
        for (NormalizationRule rule : NormalizationRule.values()) {
            assertEquals(true, rule.ruleName().matches("[a-z]+(-[a-z]+)*"), rule.ruleName());
            assertEquals(true, names.add(rule.ruleName()), rule.ruleName());
        }
    }

    @Test
    void normalizerDoesNotModifyItsInputAndSkipsDisabledRules() throws Exception {
        ObjectNode body = (ObjectNode) MAPPER.readTree("{\"max_tokens\":5,\"top_k\":1}");
        String before = body.toString();
        RequestNormalizer normalizer = new RequestNormalizer();
        ObjectNode all = normalizer.normalize(body, ApiKind.CHAT_COMPLETIONS, false, ModelFamily.GPT_5, Set.of());
        ObjectNode some = normalizer.normalize(body, ApiKind.CHAT_COMPLETIONS, false, ModelFamily.GPT_5,
                Set.of("strip-top-k"));
        assertEquals(before, body.toString());
        assertEquals(MAPPER.readTree("{\"max_completion_tokens\":5}"), all);
        assertEquals(MAPPER.readTree("{\"max_completion_tokens\":5,\"top_k\":1}"), some);
    }

    @Test
    void errorBodyIsOpenAiShaped() {
        TranslationException e = assertThrows(TranslationException.class, () -> new RequestNormalizer().normalize(
                (ObjectNode) MAPPER.readTree("{\"reasoning_effort\":\"minimal\"}"), ApiKind.CHAT_COMPLETIONS, false,
                ModelFamily.O_SERIES, Set.of()));
        JsonNode error = e.toErrorBody().get("error");
        assertEquals(400, e.status());
        assertEquals("reasoning_effort", error.get("param").asText());
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals("unsupported_value", error.get("code").asText());
        assertEquals(true, error.get("message").asText().contains("low, medium, high"));
    }

    @Test
    void ruleNamesAreExactlyTheOnesTheConfigValidatorAccepts() {
        assertEquals(com.aoaigw.config.ConfigValidator.NORMALIZATION_RULES,
                java.util.Arrays.stream(NormalizationRule.values()).map(NormalizationRule::ruleName).toList());
    }
}
