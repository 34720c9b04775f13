package com.aoaigw.proxy.translate;

import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The translator between API kinds: given the client's API, the backend's API, the model family and the disabled
 * rules, it turns the client body into the upstream body (translating chat ⇄ responses when the two differ, then
 * normalising for the backend and family) and returns an {@link Exchange} that translates the answer back.
 * {@link CompatibilitySelector} decides when it runs.
 *
 * <p>Pure and thread safe; one instance serves all requests.
 */
public final class ApiTranslator {
    /** Backend (chat) field names and what a responses client calls them. */
    private static final Map<String, String> CHAT_TO_RESPONSES_NAMES = Map.of(
            "reasoning_effort", "reasoning.effort",
            "max_completion_tokens", "max_output_tokens",
            "response_format", "text.format");
    /** Backend (responses) field names and what a chat client calls them. */
    private static final Map<String, String> RESPONSES_TO_CHAT_NAMES = Map.of(
            "reasoning.effort", "reasoning_effort",
            "max_output_tokens", "max_completion_tokens",
            "text.format", "response_format");
    private final RequestNormalizer normalizer = new RequestNormalizer();
    private final ChatToResponsesTranslator chatToResponses;
    private final ResponsesToChatTranslator responsesToChat;

    /**
     * A translator.
     *
     * @param mapper JSON mapper
     * @param ids    id source for invented ids ({@link IdSource#random()} in production)
     * @param clock  clock for invented timestamps
     */
    public ApiTranslator(ObjectMapper mapper, IdSource ids, InstantSource clock) {
        this.chatToResponses = new ChatToResponsesTranslator(mapper, ids, clock);
        this.responsesToChat = new ResponsesToChatTranslator(mapper, ids, clock);
    }

    /**
     * Prepares one request.
     *
     * @param client        the client's API (from the route it called)
     * @param backend       the backend API (the backend route key)
     * @param family        the model family
     * @param disabledRules rule names switched off for the model
     * @param body          the client body (with {@code model} already set to the deployment), not modified
     * @return the upstream body and the answer translation
     * @throws TranslationException when the request cannot be served by this backend
     */
    public Exchange prepare(ApiKind client, ApiKind backend, ModelFamily family, Set<String> disabledRules,
                            ObjectNode body) {
        boolean stream = body.path("stream").asBoolean(false);
        if (client == ApiKind.CHAT_COMPLETIONS && backend == ApiKind.RESPONSES) {
            ObjectNode translated = chatToResponses.translateRequest(body);
            Map<String, String> names = new java.util.HashMap<>(RESPONSES_TO_CHAT_NAMES);
            if (body.has("reasoning_effort") && !body.has("reasoning")) {
                names.put("reasoning", "reasoning_effort");
            }
            return new Exchange.ChatClientOfResponses(normalizeTranslated(translated, backend, stream, family,
                    disabledRules, names), body, chatToResponses);
        }
        if (client == ApiKind.RESPONSES && backend == ApiKind.CHAT_COMPLETIONS) {
            ObjectNode translated = responsesToChat.translateRequest(body);
            return new Exchange.ResponsesClientOfChat(normalizeTranslated(translated, backend, stream, family,
                    disabledRules, CHAT_TO_RESPONSES_NAMES), body, responsesToChat);
        }
        return new Exchange.PassThrough(normalizer.normalize(body, backend, stream, family, disabledRules));
    }

    /**
     * Normalises a translated body; an error names the field as the client wrote it (the rules see the backend's
     * names, e.g. {@code reasoning_effort} for a responses client that sent {@code reasoning.effort}).
     */
    private ObjectNode normalizeTranslated(ObjectNode translated, ApiKind backend, boolean stream, ModelFamily family,
                                           Set<String> disabledRules, Map<String, String> clientNames) {
        try {
            return normalizer.normalize(translated, backend, stream, family, disabledRules);
        } catch (TranslationException e) {
            String clientName = clientNames.get(e.param());
            if (clientName == null) {
                throw e;
            }
            throw new TranslationException(e.status(), clientName, e.code(),
                    e.getMessage().replace("remove " + e.param(), "remove " + clientName));
        }
    }

    /** One prepared request: the body to send and how the answer is translated back. */
    public sealed interface Exchange {
        /** @return the body to send upstream */
        ObjectNode upstreamBody();

        /** @return whether the answer must be translated (otherwise it is passed through unchanged) */
        boolean translates();

        /**
         * Translates a successful (2xx) non-streaming upstream body for the client; error bodies pass unchanged.
         *
         * @param upstream the upstream JSON
         * @return the client JSON
         * @throws TranslationException (502) when the upstream reported a failure inside a 2xx body
         */
        JsonNode translateBody(JsonNode upstream);

        /** @return a stream translator for a streaming answer, or empty for pass-through */
        Optional<StreamTranslator> streamTranslator();

        /**
         * No translation: same API on both sides (only normalised).
         *
         * @param upstreamBody the normalised body
         */
        record PassThrough(ObjectNode upstreamBody) implements Exchange {
            @Override
            public boolean translates() {
                return false;
            }

            @Override
            public JsonNode translateBody(JsonNode upstream) {
                return upstream;
            }

            @Override
            public Optional<StreamTranslator> streamTranslator() {
                return Optional.empty();
            }
        }

        /**
         * A chat client served by a responses backend.
         *
         * @param upstreamBody  the responses body
         * @param clientRequest the client's chat body
         * @param translator    the translator
         */
        record ChatClientOfResponses(ObjectNode upstreamBody, ObjectNode clientRequest,
                                     ChatToResponsesTranslator translator) implements Exchange {
            @Override
            public boolean translates() {
                return true;
            }

            @Override
            public JsonNode translateBody(JsonNode upstream) {
                return translator.translateResponse(upstream);
            }

            @Override
            public Optional<StreamTranslator> streamTranslator() {
                return Optional.of(translator.newStreamTranslator(clientRequest));
            }
        }

        /**
         * A responses client served by a chat backend.
         *
         * @param upstreamBody  the chat body
         * @param clientRequest the client's responses body
         * @param translator    the translator
         */
        record ResponsesClientOfChat(ObjectNode upstreamBody, ObjectNode clientRequest,
                                     ResponsesToChatTranslator translator) implements Exchange {
            @Override
            public boolean translates() {
                return true;
            }

            @Override
            public JsonNode translateBody(JsonNode upstream) {
                return translator.translateResponse(upstream, clientRequest);
            }

            @Override
            public Optional<StreamTranslator> streamTranslator() {
                return Optional.of(translator.newStreamTranslator(clientRequest));
            }
        }
    }
}
