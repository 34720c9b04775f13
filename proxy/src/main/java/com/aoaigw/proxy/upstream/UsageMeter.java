package com.aoaigw.proxy.upstream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.aoaigw.proxy.translate.SseEvent;
import com.aoaigw.proxy.translate.Usage;
import com.aoaigw.proxy.translate.UsageMapper;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Finds usage in upstream answers: the {@code usage} of a non-stream body, the usage chunk of a chat stream, the
 * {@code response.usage} of a Responses terminal event. Only events that contain the bytes {@code "usage":{} are
 * parsed; the usage object itself, of either shape, is read by {@link UsageMapper}. One instance per request.
 */
public final class UsageMeter {
    private static final byte[] USAGE_OBJECT = "\"usage\":{".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE_OBJECT_SPACED = "\"usage\": {".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] USAGE_KEY = "usage".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper mapper;
    private Usage usage = Usage.NONE;
    private boolean seen;

    /** @param mapper the shared mapper */
    public UsageMeter(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /**
     * Looks at one stream event.
     *
     * @param event the upstream event
     * @return true when the event is a chat usage-only chunk ({@code choices: []} with usage)
     */
    public boolean observe(SseEvent event) {
        if (!event.contains(USAGE_OBJECT) && !event.contains(USAGE_OBJECT_SPACED)) {
            return false;
        }
        String data = event.data();
        if (data == null || data.isEmpty() || data.charAt(0) != '{') {
            return false;
        }
        try {
            JsonNode root = mapper.readTree(data);
            JsonNode u = root.path("usage");
            if (!u.isObject()) {
                u = root.path("response").path("usage");
            }
            if (u.isObject()) {
                take(UsageMapper.read(u));
                JsonNode choices = root.path("choices");
                return choices.isArray() && choices.isEmpty() && root.has("usage");
            }
        } catch (IOException e) {
            // not JSON: pass it on untouched, usage simply is not counted
        }
        return false;
    }

    /**
     * Looks at a whole non-stream body.
     *
     * @param body the body
     */
    public void observeBody(byte[] body) {
        // a byte scan finds the top-level "usage" member (choices can be large), and only its object is parsed
        int at = topLevelMember(body, USAGE_KEY);
        if (at < 0 || body[at] != '{') {
            return;
        }
        try (JsonParser p = mapper.getFactory().createParser(body, at, body.length - at)) {
            p.nextToken();
            Usage u = UsageMapper.read(p);
            if (u != null) {
                take(u); // a cut object (null) is not counted
            }
        } catch (IOException e) {
            // not JSON: usage simply is not counted
        }
    }

    /**
     * Finds the value of a member of the top-level object without parsing the rest: strings (and the escapes in
     * them) are skipped, brackets are counted, and a string at depth 1 followed by {@code :} is a member name.
     *
     * @param json a JSON document
     * @param name the member name's bytes (no escapes)
     * @return the index of the member's value (whitespace skipped), or -1
     */
    static int topLevelMember(byte[] json, byte[] name) {
        int depth = 0;
        int n = json.length;
        int i = 0;
        while (i < n) {
            byte c = json[i];
            if (c == '"') {
                int start = ++i;
                while (i < n && json[i] != '"') {
                    i += json[i] == '\\' ? 2 : 1;
                }
                if (i >= n) {
                    return -1;
                }
                int end = i++;
                if (depth == 1 && end - start == name.length
                        && java.util.Arrays.equals(json, start, end, name, 0, name.length)) {
                    int j = skipSpace(json, i);
                    if (j < n && json[j] == ':') {
                        j = skipSpace(json, j + 1);
                        return j < n ? j : -1;
                    }
                }
                continue;
            }
            if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth <= 0) {
                    return -1;
                }
            }
            i++;
        }
        return -1;
    }

    private static int skipSpace(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t')) {
            i++;
        }
        return i;
    }

    private void take(Usage u) {
        usage = u;
        seen = true;
    }

    /** @return the usage seen (the last one), or {@link Usage#NONE} */
    public Usage usage() {
        return usage;
    }

    /** @return true when some usage was reported */
    public boolean seen() {
        return seen;
    }
}
