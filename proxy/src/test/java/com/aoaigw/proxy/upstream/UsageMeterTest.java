package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

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
