package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.proxy.translate.SseEvent;

@Timeout(20)
class SseFramerTest {
    /** Delivers the bytes in two reads split at one position. */
    private static InputStream split(byte[] all, int at) {
        return new InputStream() {
            int pos;

            @Override
            public int read() {
                return pos < all.length ? all[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= all.length) {
                    return -1;
                }
                int limit = pos < at ? at : all.length;
                int n = Math.min(len, limit - pos);
                System.arraycopy(all, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private static List<SseEvent> frame(InputStream in) throws IOException {
        SseFramer f = new SseFramer(in);
        List<SseEvent> out = new ArrayList<>();
        SseEvent e;
        while ((e = f.next()) != null) {
            out.add(e);
        }
        return out;
    }

    @Test
    void everySplitPositionGivesTheSameEventsByteExact() throws IOException {
        String text = "data: {\"c\":\"h\u00e9llo \ud83d\ude00\"}\n\n"
                + "event: response.output_text.delta\r\ndata: {\"d\":\"\u20ac\"}\r\n\r\n"
                + ": comment\ndata: a\ndata: b\n\n"
                + "data: [DONE]\n\n";
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        for (int at = 0; at <= all.length; at++) {
            List<SseEvent> events = frame(split(all, at));
            assertEquals(4, events.size(), "split at " + at);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (SseEvent e : events) {
                joined.writeBytes(e.raw());
            }
            assertArrayEquals(all, joined.toByteArray(), "split at " + at);
            assertEquals("{\"c\":\"h\u00e9llo \ud83d\ude00\"}", events.get(0).data());
            assertEquals("response.output_text.delta", events.get(1).event());
            assertEquals("{\"d\":\"\u20ac\"}", events.get(1).data());
            assertEquals("a\nb", events.get(2).data());
            assertNull(events.get(2).event());
        }
    }

    @Test
    void truncatedEventIsReported() throws IOException {
        SseFramer f = new SseFramer(split("data: 1\n\ndata: partial".getBytes(StandardCharsets.UTF_8), 3));
        assertEquals("1", f.next().data());
        assertNull(f.next());
        assertTrue(f.truncated());
    }

    @Test
    void cleanEndIsNotTruncated() throws IOException {
        SseFramer f = new SseFramer(split("data: 1\r\n\r\n".getBytes(StandardCharsets.UTF_8), 10));
        assertEquals("1", f.next().data());
        assertNull(f.next());
        assertFalse(f.truncated());
    }

    @Test
    void largeEventGrowsTheBuffer() throws IOException {
        String big = "x".repeat(100_000);
        List<SseEvent> events = frame(split(("data: " + big + "\n\n").getBytes(StandardCharsets.UTF_8), 5000));
        assertEquals(1, events.size());
        assertEquals(big, events.get(0).data());
    }

    @Test
    void containsFindsAsciiNeedle() {
        SseEvent e = new SseEvent("data: {\"usage\":{\"a\":1}}\n\n".getBytes(StandardCharsets.UTF_8));
        assertTrue(e.contains("\"usage\":{".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(e.contains("[DONE]".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void strayBlankLinesAreSkipped() throws IOException {
        List<SseEvent> events = frame(split("\n\r\ndata: 1\n\n\n\ndata: 2\n\n".getBytes(StandardCharsets.UTF_8), 1));
        assertEquals(2, events.size());
        assertEquals("data: 1\n\n", events.get(0).toString());
        assertEquals("2", events.get(1).data());
    }

    /** Delivers the bytes in two reads split at one position, counting the reads. */
    private static final class CountingSplit extends InputStream {
        private final byte[] all;
        private final int at;
        private int pos;
        int reads;

        CountingSplit(byte[] all, int at) {
            this.all = all;
            this.at = at;
        }

        @Override
        public int read() {
            throw new UnsupportedOperationException("the framer reads arrays");
        }

        @Override
        public int read(byte[] b, int off, int len) {
            reads++;
            if (pos >= all.length) {
                return -1;
            }
            int limit = pos < at ? at : all.length;
            int n = Math.min(len, limit - pos);
            System.arraycopy(all, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    /** poll() hands out the whole events already read and never reads; next() goes on from where poll stopped. */
    @Test
    void pollGivesBufferedEventsWithoutReadingAtEverySplitPosition() throws IOException {
        byte[] all = "data: a\n\ndata: b\r\n\r\ndata: c\r\rdata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
        for (int at = 1; at < all.length; at++) {
            CountingSplit in = new CountingSplit(all, at);
            SseFramer f = new SseFramer(in);
            assertNull(f.poll(), "nothing read yet: nothing to hand out");
            assertEquals(0, in.reads, "poll never reads");
            List<String> got = new ArrayList<>();
            SseEvent e = f.next();
            while (e != null) {
                got.add(new String(e.raw(), StandardCharsets.UTF_8));
                int before = in.reads;
                SseEvent p = f.poll();
                assertEquals(before, in.reads, "poll never reads (split at " + at + ")");
                e = p != null ? p : f.next();
            }
            assertEquals(List.of("data: a\n\n", "data: b\r\n\r\n", "data: c\r\r", "data: [DONE]\n\n"), got,
                    "split at " + at);
        }
    }

    /** A CR as the last byte read may be the first half of CRLF: poll waits, next() reads the byte after it. */
    @Test
    void pollWaitsWhenTheBufferEndsInCarriageReturn() throws IOException {
        byte[] all = "data: x\n\ndata: y\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        CountingSplit in = new CountingSplit(all, all.length - 1); // the first read ends with "\r\n\r"
        SseFramer f = new SseFramer(in);
        assertEquals("data: x\n\n", new String(f.next().raw(), StandardCharsets.US_ASCII));
        assertEquals(1, in.reads);
        assertNull(f.poll(), "a final CR could still be followed by LF");
        assertEquals(1, in.reads);
        assertEquals("data: y\r\n\r\n", new String(f.next().raw(), StandardCharsets.US_ASCII));
        assertNull(f.poll());
        assertNull(f.next());
    }
}
