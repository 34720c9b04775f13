package com.aoaigw.proxy.translate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an upstream SSE byte stream into whole events. Bytes are buffered until a blank line ends an event, and
 * only then decoded, so a multi-byte UTF-8 character split across network reads is never corrupted (the original's
 * D33). Accepts {@code \n}, {@code \r\n} and {@code \r} line ends; comment lines ({@code :...}) are skipped.
 * One instance per stream; not thread safe.
 */
public final class SseEventParser {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    /** Creates an empty parser. */
    public SseEventParser() {
    }

    /**
     * Adds bytes read from the upstream.
     *
     * @param bytes  the buffer
     * @param offset start of the new bytes
     * @param length number of new bytes
     * @return the events completed by these bytes, in order
     */
    public List<SseEvent> feed(byte[] bytes, int offset, int length) {
        pending.write(bytes, offset, length);
        byte[] buffer = pending.toByteArray();
        List<SseEvent> events = new ArrayList<>();
        int start = 0;
        int end;
        while ((end = eventEnd(buffer, start)) >= 0) {
            int next = end;
            while (next < buffer.length && next < end + 4 && (buffer[next] == '\n' || buffer[next] == '\r')) {
                next++;
            }
            parse(new String(buffer, start, end - start, StandardCharsets.UTF_8), events);
            start = next;
        }
        pending.reset();
        pending.write(buffer, start, buffer.length - start);
        return events;
    }

    /**
     * The upstream ended: a last event without its closing blank line is still returned.
     *
     * @return zero or one event
     */
    public List<SseEvent> finish() {
        List<SseEvent> events = new ArrayList<>();
        if (pending.size() > 0) {
            parse(pending.toString(StandardCharsets.UTF_8), events);
            pending.reset();
        }
        return events;
    }

    /** Index where the event starting at {@code from} ends (the first byte of its blank-line separator), or -1. */
    private static int eventEnd(byte[] buffer, int from) {
        for (int i = from; i < buffer.length; i++) {
            if (buffer[i] == '\n' && i + 1 < buffer.length && buffer[i + 1] == '\n') {
                return i;
            }
            if (buffer[i] == '\r' && i + 1 < buffer.length) {
                if (buffer[i + 1] == '\r') {
                    return i;
                }
                if (buffer[i + 1] == '\n' && i + 2 < buffer.length && (buffer[i + 2] == '\r' || buffer[i + 2] == '\n')) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static void parse(String text, List<SseEvent> events) {
        String event = null;
        StringBuilder data = null;
        for (String line : text.split("\r\n|\r|\n")) {
            if (line.isEmpty() || line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            switch (field) {
                case "event" -> event = value;
                case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                default -> {
                    // id and retry carry nothing a translator needs.
                }
            }
        }
        if (data != null) {
            events.add(new SseEvent(event, data.toString()));
        }
    }
}
