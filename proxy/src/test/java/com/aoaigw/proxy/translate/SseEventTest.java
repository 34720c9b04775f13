package com.aoaigw.proxy.translate;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The one SSE event type: built events and received events are the same bytes and decode the same way. */
@Timeout(5)
class SseEventTest {
    @Test
    void builtEventsAreTheirWireBytes() {
        String json = "{\"type\":\"response.output_text.delta\",\"delta\":\"Hé\"}";
        SseEvent named = SseEvent.ofJson("response.output_text.delta", json.getBytes(StandardCharsets.UTF_8));
        assertEquals("event: response.output_text.delta\ndata: " + json + "\n\n", named.toString());
        assertEquals(SseEvent.of("response.output_text.delta", json), named);
        assertEquals("response.output_text.delta", named.event());
        assertEquals(json, named.data());
        SseEvent unnamed = SseEvent.ofJson(null, "{}".getBytes(StandardCharsets.UTF_8));
        assertEquals("data: {}\n\n", unnamed.toString());
        assertNull(unnamed.event());
        assertEquals("data: [DONE]\n\n", SseEvent.DONE.toString());
    }

    @Test
    void aReceivedEventKeepsItsBytesAndDecodesLazily() {
        byte[] raw = ": comment\r\nevent: x\r\ndata: a\r\ndata:b\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        SseEvent received = new SseEvent(raw);
        assertEquals(raw, received.raw());
        assertEquals("x", received.event());
        assertEquals("a\nb", received.data());
        assertEquals(new SseEvent(raw.clone()), received);
    }
}
