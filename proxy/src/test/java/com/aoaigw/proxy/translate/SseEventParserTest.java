package com.aoaigw.proxy.translate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(5)
class SseEventParserTest {
    @Test
    void multiByteCharactersSplitAcrossReadsStayIntact() {
        byte[] wire = ("data: {\"d\":\"你好\"}\n\ndata: {\"d\":\"世界\"}\n\ndata: [DONE]\n\n").getBytes(StandardCharsets.UTF_8);
        // Every split point, including inside each 3-byte character (the original corrupted 你好世界 this way).
        for (int split = 1; split < wire.length; split++) {
            SseEventParser parser = new SseEventParser();
            List<SseEvent> events = new ArrayList<>(parser.feed(wire, 0, split));
            events.addAll(parser.feed(wire, split, wire.length - split));
            events.addAll(parser.finish());
            assertEquals(List.of(new SseEvent(null, "{\"d\":\"你好\"}"), new SseEvent(null, "{\"d\":\"世界\"}"),
                    SseEvent.DONE), events, "split at " + split);
        }
    }

    @Test
    void byteByByteWithCrLfNamedEventsCommentsAndMultiLineData() {
        byte[] wire = (": keep-alive\r\n\r\nevent: response.created\r\ndata: {\"a\":1}\r\n\r\n"
                + "data: line1\ndata: line2\nid: 7\n\nevent: last\ndata: x").getBytes(StandardCharsets.UTF_8);
        SseEventParser parser = new SseEventParser();
        List<SseEvent> events = new ArrayList<>();
        for (int i = 0; i < wire.length; i++) {
            events.addAll(parser.feed(wire, i, 1));
        }
        events.addAll(parser.finish());
        assertEquals(List.of(new SseEvent("response.created", "{\"a\":1}"), new SseEvent(null, "line1\nline2"),
                new SseEvent("last", "x")), events);
    }

    @Test
    void wireFormHasEventLineOnlyWhenNamed() {
        assertEquals("event: e\ndata: {}\n\n", new SseEvent("e", "{}").wire());
        assertEquals("data: [DONE]\n\n", SseEvent.DONE.wire());
    }
}
