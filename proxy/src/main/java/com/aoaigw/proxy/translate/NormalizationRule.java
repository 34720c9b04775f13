package com.aoaigw.proxy.translate;

import java.util.Locale;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The normalisation rules, in the order they run. Each rule is a small function that edits a request body (a copy
 * owned by {@link RequestNormalizer}) for the backend API and the model family, or throws
 * {@link TranslationException}. Rules only touch the parameters they are about; message content is never
 * rewritten.
 *
 * <p>Rules run only for the families gpt-5, o-series, gpt-4o, gpt-4.1, gpt-4 and gpt-35
 * ({@link ModelFamily#normalized()}); requests for {@code other} models pass as the client wrote them.
 *
 * <p>Every rule can be switched off per model by listing its {@link #ruleName()} in {@code models[].disabledRules}:
 * <ul>
 * <li>{@code reject-web-search}: a {@code web_search*} tool or tool choice, or chat's {@code web_search_options},
 * is answered with a 400 (Azure has no web search tool) instead of a confusing upstream error.</li>
 * <li>{@code reasoning-shape}: {@code reasoning_effort}, {@code reasoning} (string or object) and {@code thinking}
 * (string or {@code {effort}}) are reconciled into what the backend takes: chat {@code reasoning_effort}, responses
 * {@code reasoning: {effort, summary?}}. Foreign keys (Anthropic's {@code type}, {@code budget_tokens}) are never
 * copied; a {@code thinking} without an effort is a 400, except {@code {"type":"disabled"}} which is removed.</li>
 * <li>{@code reasoning-effort}: the effort must be one the family accepts ({@link ModelFamily#efforts()}); {@code
 * xhigh} becomes {@code high} only for families that lack {@code xhigh}; other values are a 400 naming the allowed
 * values. Families {@code other}, {@code embedding} and {@code image} are not checked.</li>
 * <li>{@code reject-reasoning}: for families that do not reason (gpt-4o, gpt-4.1, gpt-4, gpt-35) a reasoning
 * setting is a 400 naming the field. A 400 rather than a silent drop, because a client that asks for reasoning
 * should learn that this model does not reason (the original dropped or forwarded it, D25).</li>
 * <li>{@code strip-reasoning}: for those same families, removes any reasoning setting left (it only acts when
 * {@code reject-reasoning} is switched off, which is how an operator opts into dropping instead of failing).</li>
 * <li>{@code max-completion-tokens}: chat backend, reasoning families: {@code max_tokens} becomes
 * {@code max_completion_tokens} (which wins when both are sent).</li>
 * <li>{@code logprobs-implied}: chat backend: {@code top_logprobs} without {@code logprobs} sets
 * {@code logprobs: true}.</li>
 * <li>{@code strip-service-tier}: removes {@code service_tier} / {@code serviceTier} (switch it off for deployments
 * with priority processing).</li>
 * <li>{@code strip-verbosity}: removes {@code verbosity} (and responses {@code text.verbosity}) for families other
 * than gpt-5; for gpt-5 on the responses backend a top-level {@code verbosity} moves to {@code text.verbosity}.</li>
 * <li>{@code strip-top-k}: removes {@code top_k}, which no OpenAI API takes.</li>
 * <li>{@code stream-options}: {@code stream_options} is kept only on streaming chat and responses requests.</li>
 * </ul>
 */
public enum NormalizationRule {
    /** Rejects web search tools early. */
    REJECT_WEB_SEARCH("reject-web-search") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            JsonNode tools = body.get("tools");
            if (tools != null && tools.isArray()) {
                for (JsonNode tool : tools) {
                    if (isWebSearch(Json.text(tool, "type"))) {
                        throw TranslationException.unsupported("tools", "Azure OpenAI does not support the '"
                                + Json.text(tool, "type") + "' tool; remove it from tools.");
                    }
                }
            }
            JsonNode choice = body.get("tool_choice");
            if (choice != null && choice.isObject() && isWebSearch(Json.text(choice, "type"))) {
                throw TranslationException.unsupported("tool_choice", "Azure OpenAI does not support the '"
                        + Json.text(choice, "type") + "' tool; remove it from tool_choice.");
            }
            if (Json.has(body, "web_search_options")) {
                throw TranslationException.unsupported("web_search_options",
                        "Azure OpenAI does not support web search; remove web_search_options.");
            }
        }
    },
    /** Reconciles the reasoning aliases into the backend's field. */
    REASONING_SHAPE("reasoning-shape") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            switch (context.target()) {
                case CHAT_COMPLETIONS -> reasoningForChat(body);
                case RESPONSES -> reasoningForResponses(body);
                case OTHER -> { }
            }
        }
    },
    /** Checks the reasoning effort against the family. */
    REASONING_EFFORT("reasoning-effort") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            ModelFamily family = context.family();
            if (!family.reasoning()) {
                return;
            }
            ObjectNode holder = effortHolder(body, context.target());
            if (holder == null || !holder.has(effortField(context.target()))) {
                return;
            }
            String field = effortField(context.target());
            String param = context.target() == ApiKind.RESPONSES ? "reasoning.effort" : "reasoning_effort";
            JsonNode raw = holder.get(field);
            if (raw.isNull()) {
                return;
            }
            String effort = raw.isTextual() ? raw.asText().strip().toLowerCase(Locale.ROOT) : raw.toString();
            if (family.efforts().contains(effort)) {
                holder.put(field, effort);
            } else if ("xhigh".equals(effort) && family.efforts().contains("high")) {
                holder.put(field, "high");
            } else {
                throw TranslationException.unsupportedValue(param, "Reasoning effort '" + raw.asText()
                        + "' is not supported by the " + family.configName() + " model family; allowed values: "
                        + String.join(", ", family.efforts()) + ".");
            }
        }
    },
    /** Rejects reasoning settings for families that do not reason. */
    REJECT_REASONING("reject-reasoning") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (!context.family().rejectsReasoning()) {
                return;
            }
            for (String field : REASONING_FIELDS) {
                if (Json.has(body, field)) {
                    throw TranslationException.unsupported(field, "The " + context.family().configName()
                            + " model family does not support reasoning; remove " + field + ".");
                }
            }
        }
    },
    /** Drops reasoning settings for families that do not reason (when rejecting is switched off). */
    STRIP_REASONING("strip-reasoning") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (context.family().rejectsReasoning()) {
                body.remove(REASONING_FIELDS);
            }
        }
    },
    /** Moves max_tokens to max_completion_tokens for reasoning models on chat. */
    MAX_COMPLETION_TOKENS("max-completion-tokens") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (context.target() != ApiKind.CHAT_COMPLETIONS || !context.family().reasoning()
                    || !body.has("max_tokens")) {
                return;
            }
            JsonNode maxTokens = body.remove("max_tokens");
            if (!Json.has(body, "max_completion_tokens") && !maxTokens.isNull()) {
                body.set("max_completion_tokens", maxTokens);
            }
        }
    },
    /** top_logprobs implies logprobs on chat. */
    LOGPROBS_IMPLIED("logprobs-implied") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (context.target() == ApiKind.CHAT_COMPLETIONS && Json.has(body, "top_logprobs")
                    && !Json.has(body, "logprobs")) {
                body.put("logprobs", true);
            }
        }
    },
    /** Removes service_tier. */
    STRIP_SERVICE_TIER("strip-service-tier") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (context.target() != ApiKind.OTHER) {
                body.remove(java.util.List.of("service_tier", "serviceTier"));
            }
        }
    },
    /** Removes verbosity where the family does not take it. */
    STRIP_VERBOSITY("strip-verbosity") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (context.target() == ApiKind.OTHER) {
                return;
            }
            JsonNode text = body.get("text");
            if (!context.family().verbosity()) {
                body.remove("verbosity");
                if (text != null && text.isObject()) {
                    ((ObjectNode) text).remove("verbosity");
                }
            } else if (context.target() == ApiKind.RESPONSES && body.has("verbosity")) {
                JsonNode verbosity = body.remove("verbosity");
                if (verbosity.isNull()) {
                    return;
                }
                ObjectNode textObject = text != null && text.isObject() ? (ObjectNode) text : body.putObject("text");
                if (!textObject.has("verbosity")) {
                    textObject.set("verbosity", verbosity);
                }
            }
        }
    },
    /** Removes top_k. */
    STRIP_TOP_K("strip-top-k") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (context.target() != ApiKind.OTHER) {
                body.remove("top_k");
            }
        }
    },
    /** Keeps stream_options only on streaming chat/responses requests. */
    STREAM_OPTIONS("stream-options") {
        @Override
        void apply(ObjectNode body, RuleContext context) {
            if (!context.stream() || context.target() == ApiKind.OTHER) {
                body.remove("stream_options");
            }
        }
    };

    private static final java.util.List<String> REASONING_FIELDS = java.util.List.of("reasoning_effort",
            "reasoning", "thinking");

    private final String ruleName;

    NormalizationRule(String ruleName) {
        this.ruleName = ruleName;
    }

    /** @return the name used in {@code models[].disabledRules} */
    public String ruleName() {
        return ruleName;
    }

    /**
     * Applies the rule to {@code body} in place.
     *
     * @param body    the request body, owned by the caller
     * @param context backend API, family and streaming flag
     * @throws TranslationException when the request cannot be sent to this backend
     */
    abstract void apply(ObjectNode body, RuleContext context);

    /**
     * What a rule needs to know besides the body.
     *
     * @param target the backend API
     * @param family the model family
     * @param stream whether the request streams
     */
    record RuleContext(ApiKind target, ModelFamily family, boolean stream) {
    }

    private static boolean isWebSearch(String type) {
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("web_search");
    }

    private static String effortField(ApiKind target) {
        return target == ApiKind.RESPONSES ? "effort" : "reasoning_effort";
    }

    private static ObjectNode effortHolder(ObjectNode body, ApiKind target) {
        return switch (target) {
            case CHAT_COMPLETIONS -> body;
            case RESPONSES -> body.get("reasoning") instanceof ObjectNode reasoning ? reasoning : null;
            case OTHER -> null;
        };
    }

    /** The effort carried by a {@code thinking} value, or {@code null}; a 400 when it carries something else. */
    private static String thinkingEffort(JsonNode thinking) {
        if (thinking == null || thinking.isNull()) {
            return null;
        }
        if (thinking.isTextual()) {
            return thinking.asText();
        }
        if (thinking.isObject()) {
            if (thinking.get("effort") instanceof TextNode effort) {
                return effort.asText();
            }
            if ("disabled".equals(Json.text(thinking, "type"))) {
                return null;
            }
        }
        throw TranslationException.unsupported("thinking", "thinking must be a reasoning effort string or an "
                + "object with 'effort'; token budgets cannot be expressed, send a reasoning effort instead.");
    }

    private static String reasoningEffort(JsonNode reasoning) {
        if (reasoning == null || reasoning.isNull()) {
            return null;
        }
        if (reasoning.isTextual()) {
            return reasoning.asText();
        }
        return Json.text(reasoning, "effort");
    }

    private static void reasoningForChat(ObjectNode body) {
        if (!body.has("reasoning") && !body.has("thinking")) {
            return;
        }
        String fromThinking = thinkingEffort(body.get("thinking"));
        String fromReasoning = reasoningEffort(body.get("reasoning"));
        body.remove(java.util.List.of("reasoning", "thinking"));
        if (Json.has(body, "reasoning_effort")) {
            return;
        }
        String effort = fromReasoning != null ? fromReasoning : fromThinking;
        if (effort != null) {
            body.put("reasoning_effort", effort);
        }
    }

    private static void reasoningForResponses(ObjectNode body) {
        JsonNode reasoning = body.get("reasoning");
        boolean reasoningObject = reasoning == null || reasoning.isNull() || reasoning.isObject();
        if (!body.has("reasoning_effort") && !body.has("thinking") && reasoningObject) {
            return;
        }
        String fromThinking = thinkingEffort(body.get("thinking"));
        String fromAlias = Json.text(body, "reasoning_effort");
        body.remove(java.util.List.of("reasoning_effort", "thinking"));
        ObjectNode target = Json.object();
        if (reasoning != null && reasoning.isObject()) {
            target = (ObjectNode) reasoning;
        } else if (reasoning != null && reasoning.isTextual()) {
            target.put("effort", reasoning.asText());
        }
        if (!Json.has(target, "effort")) {
            String effort = fromAlias != null ? fromAlias : fromThinking;
            if (effort != null) {
                target.put("effort", effort);
            }
        }
        if (!target.isEmpty()) {
            body.set("reasoning", target);
        }
    }
}
