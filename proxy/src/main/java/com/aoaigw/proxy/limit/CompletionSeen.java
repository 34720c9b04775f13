package com.aoaigw.proxy.limit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What a request's answer showed, for charging when Azure's usage never came (a stream cut by the client or a
 * timeout): whether Azure answered with success, and the data of the stream events relayed so far (kept only for a
 * limited request, at most {@value #MAX_CHARS} characters). The completion text is only pulled out of them when it
 * is needed.
 */
public final class CompletionSeen {
    static final int MAX_CHARS = 4 << 20;

    private final boolean keep;
    private List<String> events = List.of();
    private int chars;
    private boolean answered;
    private Runnable settle;

    /** @param keep true to keep stream events (the request is charged against limits) */
    public CompletionSeen(boolean keep) {
        this.keep = keep;
    }

    /** @return true when stream events are kept (decoding an event's data is only worth it then) */
    public boolean keeps() {
        return keep;
    }

    /**
     * @param charge what charges the exchange; {@link #settle()} runs it once
     */
    public void onSettle(Runnable charge) {
        this.settle = charge;
    }

    /**
     * Charges the exchange now, once (later calls do nothing). The relay calls it just before the answer's last bytes
     * leave (a whole body, a stream's {@code [DONE]} or its end), so a client that sends its next request as soon as
     * it has this answer, to this replica or another, finds this one's tokens already counted; the forwarder calls it
     * again when the exchange is over, for answers that ended otherwise.
     */
    public void settle() {
        Runnable r = settle;
        if (r != null) {
            settle = null;
            r.run();
        }
    }

    /** Azure answered with success (a 2xx body, or a stream's first event). */
    public void answered() {
        answered = true;
    }

    /** @return true when Azure answered with success */
    public boolean wasAnswered() {
        return answered;
    }

    /** @param data one relayed event's data, or null */
    public void event(String data) {
        if (keep && data != null && chars < MAX_CHARS && data.startsWith("{")) {
            if (events.isEmpty()) {
                events = new ArrayList<>(); // made on the first event: a non-stream answer never needs one
            }
            events.add(data);
            chars += data.length();
        }
    }

    /**
     * The completion text of the events seen: chat {@code choices[].delta.content} (and refusals, tool-call
     * arguments), Responses {@code response.output_text.delta} and other {@code *.delta} texts.
     *
     * @param mapper the shared mapper
     * @return the text
     */
    public String text(ObjectMapper mapper) {
        StringBuilder out = new StringBuilder();
        for (String data : events) {
            try {
                JsonNode root = mapper.readTree(data);
                JsonNode choices = root.path("choices");
                if (choices.isArray()) {
                    for (JsonNode c : choices) {
                        JsonNode d = c.path("delta");
                        append(out, d.path("content"));
                        append(out, d.path("refusal"));
                        for (JsonNode call : d.path("tool_calls")) {
                            append(out, call.path("function").path("arguments"));
                        }
                    }
                } else if (root.path("type").asText("").endsWith(".delta")) {
                    append(out, root.path("delta"));
                }
            } catch (IOException e) {
                // not JSON: nothing to count
            }
        }
        return out.toString();
    }

    private static void append(StringBuilder out, JsonNode v) {
        if (v.isTextual()) {
            out.append(v.asText());
        }
    }
}
