package com.aoaigw.proxy.limit;

import java.io.IOException;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
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
     * Reads the body once with a streaming parser (no tree: a limited key's request should cost little more than
     * another's) and counts the prompt's text.
     *
     * @param json   the JSON factory
     * @param body   the request body
     * @param family the model family (gpt-4 and gpt-35: cl100k_base; any other or null: o200k_base)
     * @return the prompt estimate in tokens
     * @throws IOException when the body is not JSON
     */
    public long estimate(JsonFactory json, byte[] body, ModelFamily family) throws IOException {
        Encoding enc = encoding(family);
        long n = 0;
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return 0;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "messages" -> n += messages(p, v, enc);
                    case "input" -> n += input(p, v, enc);
                    case "instructions", "prompt" -> n += text(p, v, enc);
                    default -> p.skipChildren();
                }
            }
        }
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

    /** Chat {@code messages}: each message's content and name, with the framing tokens. */
    private long messages(JsonParser p, JsonToken v, Encoding enc) throws IOException {
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return 0;
        }
        long n = PER_REPLY;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            n += PER_MESSAGE;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken fv = p.nextToken();
                if (field.equals("content")) {
                    n += content(p, fv, enc);
                } else if (field.equals("name") && fv == JsonToken.VALUE_STRING) {
                    n += 1 + tokens(enc, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        }
        return n;
    }

    /** Responses, embeddings and completions {@code input}: a string, or items (strings or messages and outputs). */
    private long input(JsonParser p, JsonToken v, Encoding enc) throws IOException {
        return stringOrArray(p, v, enc, this::inputItem);
    }

    /** An input item: its content counts; a tool output's output counts when it has no content. */
    private long inputItem(JsonParser p, Encoding enc) throws IOException {
        long content = -1;
        long output = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken fv = p.nextToken();
            if (field.equals("content")) {
                content = content(p, fv, enc);
            } else if (field.equals("output")) {
                output = content(p, fv, enc);
            } else {
                p.skipChildren();
            }
        }
        return PER_MESSAGE + (content >= 0 ? content : output);
    }

    /** A content value: a string, or an array of parts whose {@code text} (text, input_text, output_text) counts. */
    private long content(JsonParser p, JsonToken v, Encoding enc) throws IOException {
        return stringOrArray(p, v, enc, this::part);
    }

    /** A content part: its {@code text}. */
    private long part(JsonParser p, Encoding enc) throws IOException {
        long n = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken fv = p.nextToken();
            if (field.equals("text")) {
                n += text(p, fv, enc);
            } else {
                p.skipChildren();
            }
        }
        return n;
    }

    /**
     * @return a string's tokens, or an array's: the tokens of its strings plus what {@code object} counts of each of
     *         its objects; anything else is skipped and counts nothing
     */
    private long stringOrArray(JsonParser p, JsonToken v, Encoding enc, ObjectCount object) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return tokens(enc, p.getText());
        }
        if (v != JsonToken.START_ARRAY) {
            p.skipChildren();
            return 0;
        }
        long n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_STRING) {
                n += tokens(enc, p.getText());
            } else if (t == JsonToken.START_OBJECT) {
                n += object.count(p, enc);
            } else {
                p.skipChildren();
            }
        }
        return n;
    }

    /** Counts one object, its start token already read, up to and including its end. */
    @FunctionalInterface
    private interface ObjectCount {
        long count(JsonParser p, Encoding enc) throws IOException;
    }

    /** @return the tokens of a string value; any other value is skipped and counts nothing */
    private long text(JsonParser p, JsonToken v, Encoding enc) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return tokens(enc, p.getText());
        }
        p.skipChildren();
        return 0;
    }
}
