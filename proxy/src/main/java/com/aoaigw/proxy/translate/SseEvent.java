package com.aoaigw.proxy.translate;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One server-sent event, the only event type of the proxy: an upstream event exactly as received (the raw bytes
 * including its terminating blank line, written to the client unchanged when nothing translates it), or an event
 * a translator built with {@link #of}. The {@code event} name and the joined {@code data} of a received event are
 * decoded lazily, only when someone asks. Two events are equal when their bytes are.
 */
public final class SseEvent {
    /** The chat completions stream terminator. */
    public static final SseEvent DONE = of(null, "[DONE]");

    private final byte[] raw;
    private String event;
    private String data;
    private boolean decoded;

    /** @param raw the event's bytes, terminator included */
    public SseEvent(byte[] raw) {
        this.raw = raw;
    }

    private SseEvent(byte[] raw, String event, String data) {
        this.raw = raw;
        this.event = event;
        this.data = data;
        this.decoded = true;
    }

    /**
     * An event built from its fields (for translators that emit new events), encoded once, here.
     *
     * @param event the event name, or null for an unnamed event (chat completions streams)
     * @param data  the data (one line: serialised JSON or {@code [DONE]}, no newlines)
     * @return the event, framed with {@code \n\n}
     */
    public static SseEvent of(String event, String data) {
        String text = (event == null ? "" : "event: " + event + "\n") + "data: " + data + "\n\n";
        return new SseEvent(text.getBytes(StandardCharsets.UTF_8), event, data);
    }

    /**
     * An event whose data is a JSON document, encoded straight to its bytes (the fields are decoded only if asked).
     *
     * @param event the event name, or null for an unnamed event
     * @param json  the serialised JSON, UTF-8, on one line
     * @return the event, framed with {@code \n\n}
     */
    public static SseEvent ofJson(String event, byte[] json) {
        byte[] head = ((event == null ? "" : "event: " + event + "\n") + "data: ").getBytes(StandardCharsets.UTF_8);
        byte[] raw = Arrays.copyOf(head, head.length + json.length + 2);
        System.arraycopy(json, 0, raw, head.length, json.length);
        raw[raw.length - 2] = '\n';
        raw[raw.length - 1] = '\n';
        return new SseEvent(raw);
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
    public boolean equals(Object o) {
        return o instanceof SseEvent other && Arrays.equals(raw, other.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    /** @return the wire form as text */
    @Override
    public String toString() {
        return new String(raw, StandardCharsets.UTF_8);
    }
}
