package com.aoaigw.proxy.translate;

import java.nio.charset.StandardCharsets;

/**
 * One whole server-sent event: an optional {@code event:} name and its {@code data:} text.
 *
 * @param event the event name, or {@code null} for an unnamed event (chat completions streams)
 * @param data  the data text (JSON, or {@code [DONE]})
 */
public record SseEvent(String event, String data) {
    /** The chat completions stream terminator. */
    public static final SseEvent DONE = new SseEvent(null, "[DONE]");

    /**
     * The wire form: {@code event: x\ndata: ...\n\n} or {@code data: ...\n\n}, UTF-8.
     *
     * @return the bytes to write to the client
     */
    public byte[] bytes() {
        return wire().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The wire form as text.
     *
     * @return the event text ending with a blank line
     */
    public String wire() {
        StringBuilder out = new StringBuilder();
        if (event != null) {
            out.append("event: ").append(event).append('\n');
        }
        // A data value never holds a newline: it is serialised JSON or [DONE].
        out.append("data: ").append(data).append("\n\n");
        return out.toString();
    }
}
