package com.aoaigw.proxy.limit;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * OpenAI's {@code x-ratelimit-*} values for a key's own minute windows; a trio is present only for a window the key
 * has ({@code rpm} for {@code -requests}, {@code tpm} for {@code -tokens}).
 *
 * @param requestLimit     the key's rpm, or -1
 * @param requestRemaining requests left in the window
 * @param requestResetMs   ms until the request window is empty
 * @param tokenLimit       the key's tpm, or -1
 * @param tokenRemaining   tokens left in the window
 * @param tokenResetMs     ms until the token window is empty
 */
public record RateHeaders(long requestLimit, long requestRemaining, long requestResetMs, long tokenLimit,
                          long tokenRemaining, long tokenResetMs) {
    /** No windows. */
    public static final RateHeaders NONE = new RateHeaders(-1, 0, 0, -1, 0, 0);

    /** The header names, in OpenAI's order; {@link #forEach} passes the index into this list. */
    public static final List<String> NAMES = List.of("x-ratelimit-limit-requests", "x-ratelimit-remaining-requests",
            "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens",
            "x-ratelimit-reset-tokens");

    /** @return header name to value, in OpenAI's order */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        forEach((value, i) -> m.put(NAMES.get(i), value));
        return m;
    }

    /**
     * Passes each header that is present, in OpenAI's order (every answer to a limited key carries them: no map).
     *
     * @param out takes the value and the name's index in {@link #NAMES}
     */
    public void forEach(ObjIntConsumer<String> out) {
        if (requestLimit >= 0) {
            out.accept(Long.toString(requestLimit), 0);
            out.accept(Long.toString(Math.max(0, requestRemaining)), 1);
            out.accept(duration(requestResetMs), 2);
        }
        if (tokenLimit >= 0) {
            out.accept(Long.toString(tokenLimit), 3);
            out.accept(Long.toString(Math.max(0, tokenRemaining)), 4);
            out.accept(duration(tokenResetMs), 5);
        }
    }

    /**
     * OpenAI's duration format: {@code 20ms}, {@code 1.5s}, {@code 6m0s}.
     *
     * @param ms milliseconds
     * @return the text
     */
    public static String duration(long ms) {
        if (ms <= 0) {
            return "0s";
        }
        if (ms < 1000) {
            return ms + "ms";
        }
        StringBuilder out = new StringBuilder(12);
        long minutes = ms / 60_000;
        long restMs = ms % 60_000;
        if (minutes > 0) {
            out.append(minutes).append('m');
        }
        out.append(restMs / 1000);
        int frac = (int) (restMs % 1000);
        if (frac != 0) {
            // milliseconds as up to three decimals, without trailing zeros: 250 -> .25, 5 -> .005
            out.append('.').append((char) ('0' + frac / 100));
            if (frac % 100 != 0) {
                out.append((char) ('0' + frac / 10 % 10));
                if (frac % 10 != 0) {
                    out.append((char) ('0' + frac % 10));
                }
            }
        }
        return out.append('s').toString();
    }
}
