package com.aoaigw.proxy.translate;

import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The entry point of model compatibility for the data plane: given the client route, the backend route, the model
 * family and the disabled rules, it turns the client body into the upstream body (translating chat ⇄ responses when
 * the two routes differ, then normalising for the backend and family) and returns an {@link Exchange} that
 * translates the answer back.
 *
 * <p>Pure and thread safe; one instance serves all requests.
 */
public final class CompatibilityTranslator {
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
    public CompatibilityTranslator(ObjectMapper mapper, IdSource ids, InstantSource clock) {
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
            ObjectNode upstream = normalizer.normalize(chatToResponses.translateRequest(body), backend, stream, family,
                    disabledRules);
            return new Exchange.ChatClientOfResponses(upstream, body, chatToResponses);
        }
        if (client == ApiKind.RESPONSES && backend == ApiKind.CHAT_COMPLETIONS) {
            ObjectNode upstream = normalizer.normalize(responsesToChat.translateRequest(body), backend, stream, family,
                    disabledRules);
            return new Exchange.ResponsesClientOfChat(upstream, body, responsesToChat);
        }
        return new Exchange.PassThrough(normalizer.normalize(body, backend, stream, family, disabledRules));
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
