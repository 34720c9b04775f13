package com.aoaigw.proxy.upstream;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event exactly as received: the raw bytes including its terminating blank line. The
 * {@code event} name and the joined {@code data} are decoded lazily, only when someone asks.
 */
public final class SseEvent {
    private final byte[] raw;
    private String event;
    private String data;
    private boolean decoded;

    /** @param raw the event's bytes, terminator included */
    public SseEvent(byte[] raw) {
        this.raw = raw;
    }

    /**
     * An event built from a data payload (for transforms that emit new events).
     *
     * @param event the event name or null
     * @param data  the data (one line; no newlines)
     * @return the event, framed with {@code \n\n}
     */
    public static SseEvent of(String event, String data) {
        String text = (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
        return new SseEvent(text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return the raw bytes (do not modify) */
    public byte[] raw() {
        return raw;
    }

    /** @return the {@code event:} field, or null */
    public String event() {
        decode();
        return event;
    }

    /** @return the {@code data:} lines joined with {@code \n}, or null when there is none */
    public String data() {
        decode();
        return data;
    }

    /**
     * A cheap test before any decoding.
     *
     * @param ascii ASCII text
     * @return true when the raw bytes contain it
     */
    public boolean contains(byte[] ascii) {
        outer:
        for (int i = 0; i <= raw.length - ascii.length; i++) {
            for (int j = 0; j < ascii.length; j++) {
                if (raw[i + j] != ascii[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private void decode() {
        if (decoded) {
            return;
        }
        decoded = true;
        String text = new String(raw, StandardCharsets.UTF_8);
        StringBuilder d = null;
        int i = 0;
        int n = text.length();
        while (i < n) {
            int end = i;
            while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            String line = text.substring(i, end);
            if (end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n') {
                end++;
            }
            i = end + 1;
            if (line.isEmpty() || line.charAt(0) == ':') {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("event")) {
                event = value;
            } else if (field.equals("data")) {
                if (d == null) {
                    d = new StringBuilder(value);
                } else {
                    d.append('\n').append(value);
                }
            }
        }
        data = d == null ? null : d.toString();
    }

    @Override
    public String toString() {
        return new String(raw, StandardCharsets.UTF_8);
    }
}
