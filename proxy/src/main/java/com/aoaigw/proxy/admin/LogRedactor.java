package com.aoaigw.proxy.admin;

import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * Scrubs secrets from log entries before the admin API can show them: by field name (authorization, api-key,
 * password, secret, token, key, cookie, ...) and by value (every secret value of the config in effect, wherever it
 * appears, including free text), plus bearer tokens in text (D6).
 */
public final class LogRedactor {
    /** What replaces a secret. */
    public static final String REDACTED = "[REDACTED]";
    private static final Set<String> NAMES = Set.of("authorization", "proxy-authorization", "api-key", "x-api-key",
            "apikey", "api_key", "apikeys", "password", "passwordhash", "secret", "clientsecret", "client_secret",
            "token", "access_token", "refresh_token", "accesstoken", "key", "cookie", "set-cookie", "x-csrf-token",
            "csrftoken", "connectionstring");
    private static final Pattern BEARER = Pattern.compile("(?i)(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{6,}");
    /** Values shorter than this are not scrubbed from free text (too many false hits). */
    private static final int MIN_VALUE = 6;

    private final Supplier<Collection<String>> secretValues;

    /**
     * @param secretValues the secret values to scrub (read on every call, so config changes apply)
     */
    public LogRedactor(Supplier<Collection<String>> secretValues) {
        this.secretValues = secretValues;
    }

    /**
     * @param name a field name
     * @return true when the field's value must never be shown
     */
    public static boolean secretName(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return NAMES.contains(n) || n.contains("secret") || n.contains("password") || n.endsWith("token")
                || n.endsWith("-key") || n.endsWith("_key") || n.endsWith("apikey");
    }

    /**
     * @param text free text
     * @return the text without secret values or bearer tokens
     */
    public String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : secretValues.get()) {
            if (v != null && v.length() >= MIN_VALUE && out.contains(v)) {
                out = out.replace(v, REDACTED);
            }
        }
        if (!mentions(out, "bearer") && !mentions(out, "basic")) {
            return out; // the usual case: no regular expression to run
        }
        return BEARER.matcher(out).replaceAll("$1 " + REDACTED);
    }

    /** @return true when the text contains the lower-case ASCII word in any case */
    private static boolean mentions(String text, String word) {
        for (int i = 0, last = text.length() - word.length(); i <= last; i++) {
            if (text.regionMatches(true, i, word, 0, word.length())) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param node a JSON value (changed in place where possible)
     * @return the value with secret fields and values replaced
     */
    public JsonNode json(JsonNode node) {
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (secretName(e.getKey()) && !e.getValue().isNull() && !e.getValue().isContainerNode()) {
                    e.setValue(TextNode.valueOf(REDACTED));
                } else {
                    e.setValue(json(e.getValue()));
                }
            }
            return o;
        }
        if (node instanceof ArrayNode a) {
            for (int i = 0; i < a.size(); i++) {
                a.set(i, json(a.get(i)));
            }
            return a;
        }
        if (node != null && node.isTextual()) {
            String t = text(node.asText());
            return t.equals(node.asText()) ? node : TextNode.valueOf(t);
        }
        return node;
    }
}
