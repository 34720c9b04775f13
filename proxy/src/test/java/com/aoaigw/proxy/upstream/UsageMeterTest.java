package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.aoaigw.proxy.translate.SseEvent;
import com.aoaigw.proxy.translate.Usage;
import com.fasterxml.jackson.databind.ObjectMapper;

class UsageMeterTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void nonStreamChatAndResponsesBodies() {
        UsageMeter m = new UsageMeter(mapper);
        m.observeBody(b("{\"choices\":[{\"message\":{\"content\":\"{\\\"usage\\\":1}\"}}],\"usage\":{\"prompt_tokens\":7,"
                + "\"completion_tokens\":3,\"prompt_tokens_details\":{\"cached_tokens\":2}}}"));
        assertEquals(new Usage(7, 3, 2), m.usage());
        UsageMeter r = new UsageMeter(mapper);
        r.observeBody(b("{\"output\":[],\"usage\":{\"input_tokens\":5,\"output_tokens\":4,"
                + "\"input_tokens_details\":{\"cached_tokens\":1}}}"));
        assertEquals(new Usage(5, 4, 1), r.usage());
        UsageMeter n = new UsageMeter(mapper);
        n.observeBody(b("not json"));
        n.observeBody(b("{\"usage\":null}"));
        assertFalse(n.seen());
    }

    @Test
    void onlyTheTopLevelUsageMemberCounts() {
        byte[] key = b("usage");
        // a nested "usage" object, a "usage" string value, escaped quotes and a backslash before the real member
        String doc = "{\"choices\":[{\"usage\":{\"prompt_tokens\":99}}],\"note\":\"usage\",\"q\":\"a\\\"usage\\\": {\\\\\","
                + "\"meta\":{\"usage\":{\"prompt_tokens\":98}},\"usage\" :\n {\"prompt_tokens\":4,\"completion_tokens\":2}}";
        int at = UsageMeter.topLevelMember(b(doc), key);
        assertEquals(doc.lastIndexOf("{\"prompt_tokens\":4"), at);
        UsageMeter m = new UsageMeter(mapper);
        m.observeBody(b(doc));
        assertEquals(new Usage(4, 2, 0), m.usage());

        assertEquals(-1, UsageMeter.topLevelMember(b("{\"a\":{\"usage\":{}}}"), key), "nested only");
        assertEquals(-1, UsageMeter.topLevelMember(b("[{\"usage\":{}}]"), key), "not an object at the top");
        assertEquals(-1, UsageMeter.topLevelMember(b("{\"a\":\"usage\"}"), key), "a value, not a name");
        assertEquals(-1, UsageMeter.topLevelMember(b("{\"a\":\"unterminated"), key));
        assertEquals(-1, UsageMeter.topLevelMember(b("{\"a\":1}, \"usage\":{}"), key), "after the object ended");
        UsageMeter truncated = new UsageMeter(mapper);
        truncated.observeBody(b("{\"usage\":{\"prompt_tokens\":4,"));
        assertFalse(truncated.seen(), "a cut usage object is not counted");
    }

    @Test
    void streamEvents() {
        UsageMeter m = new UsageMeter(mapper);
        assertFalse(m.observe(new SseEvent(b("data: {\"choices\":[],\"usage\":null}\n\n"))));
        assertTrue(m.observe(new SseEvent(b("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n"))));
        assertEquals(new Usage(3, 1, 0), m.usage());
        UsageMeter r = new UsageMeter(mapper);
        assertFalse(r.observe(new SseEvent(b("event: response.completed\ndata: {\"type\":\"response.completed\","
                + "\"response\":{\"usage\":{\"input_tokens\":5,\"output_tokens\":2}}}\n\n"))));
        assertEquals(new Usage(5, 2, 0), r.usage());
    }
}
