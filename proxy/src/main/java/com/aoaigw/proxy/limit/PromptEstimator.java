package com.aoaigw.proxy.limit;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Counts a request's prompt with a real tokenizer (jtokkit): {@code cl100k_base} for the gpt-4 and gpt-3.5 families,
 * {@code o200k_base} for everything else. It counts the text a client sends (chat {@code messages[].content},
 * Responses {@code input} and {@code instructions}, embeddings and completions {@code input}/{@code prompt}) plus
 * OpenAI's few tokens of framing per message; images and files are not counted, and {@code max_tokens} /
 * {@code max_output_tokens} are not reserved. Thread-safe; the encodings load on first use.
 *
 * <p>Clients resend the same text over and over: the system prompt of every request, and the whole conversation so
 * far at every turn of a chat or an agent loop. Tokenizing costs about 0.15 us per character, so each text's count is
 * remembered in a small table ({@link CountCache}) under a 64-bit hash of the text and its encoding; only the hash
 * and the count are kept, never the text. A turn then tokenizes only its new message.
 */
public final class PromptEstimator {
    private static final int PER_MESSAGE = 3;
    private static final int PER_REPLY = 3;

    private final EncodingRegistry registry = Encodings.newLazyEncodingRegistry();
    private final CountCache cache = new CountCache(CountCache.DEFAULT_SLOTS);

    /**
     * @param body   the request body
     * @param family the model family (gpt-4 and gpt-35: cl100k_base; any other or null: o200k_base)
     * @return the prompt estimate in tokens
     */
    public long estimate(JsonNode body, ModelFamily family) {
        Encoding enc = encoding(family);
        long n = 0;
        JsonNode messages = body.path("messages");
        if (messages.isArray()) {
            for (JsonNode m : messages) {
                n += PER_MESSAGE + content(enc, m.path("content"));
                JsonNode name = m.path("name");
                if (name.isTextual()) {
                    n += 1 + tokens(enc, name.asText());
                }
            }
            n += PER_REPLY;
        }
        JsonNode input = body.path("input");
        if (input.isTextual()) {
            n += tokens(enc, input.asText());
        } else if (input.isArray()) {
            for (JsonNode item : input) {
                if (item.isTextual()) {
                    n += tokens(enc, item.asText());
                } else if (item.isObject()) {
                    n += PER_MESSAGE + content(enc, item.has("content") ? item.path("content") : item.path("output"));
                }
            }
        }
        n += text(enc, body.path("instructions")) + text(enc, body.path("prompt"));
        return n;
    }

    /**
     * @param text   completion text
     * @param family the model family
     * @return its tokens
     */
    public long count(String text, ModelFamily family) {
        return text.isEmpty() ? 0 : encoding(family).countTokensOrdinary(text);
    }

    /** @return the tokens of one text, from the cache when it was counted before with the same encoding */
    private long tokens(Encoding enc, String text) {
        if (text.length() < CountCache.MIN_CHARS) {
            return enc.countTokensOrdinary(text);
        }
        long hash = CountCache.hash(text, enc.getName().hashCode());
        int known = cache.get(hash);
        if (known >= 0) {
            return known;
        }
        int n = enc.countTokensOrdinary(text);
        cache.put(hash, n);
        return n;
    }

    private Encoding encoding(ModelFamily family) {
        boolean cl100k = family == ModelFamily.GPT_4 || family == ModelFamily.GPT_35;
        return registry.getEncoding(cl100k ? EncodingType.CL100K_BASE : EncodingType.O200K_BASE);
    }

    /** A content value: a string, or an array of parts whose {@code text} (text, input_text, output_text) counts. */
    private long content(Encoding enc, JsonNode content) {
        if (content.isTextual()) {
            return tokens(enc, content.asText());
        }
        long n = 0;
        if (content.isArray()) {
            for (JsonNode part : content) {
                n += part.isTextual() ? tokens(enc, part.asText()) : text(enc, part.path("text"));
            }
        }
        return n;
    }

    private long text(Encoding enc, JsonNode v) {
        return v.isTextual() ? tokens(enc, v.asText()) : 0;
    }
}
