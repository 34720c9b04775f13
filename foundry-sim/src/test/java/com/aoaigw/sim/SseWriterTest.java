package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The split-utf8 writing rule, checked on the flush boundaries of a recording stream. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class SseWriterTest {

    /** Records what was written between two flushes. */
    private static final class FlushRecorder extends OutputStream {
        final List<byte[]> flushed = new ArrayList<>();
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            pending.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            pending.write(b, off, len);
        }

        @Override
        public void flush() {
            if (pending.size() > 0) {
                flushed.add(pending.toByteArray());
                pending.reset();
            }
        }
    }

    @Test
    void splitCutsTheFirstMultiByteCharacter() throws Exception {
        byte[] event = "data: {\"content\":\"你好\"}\n\n".getBytes(StandardCharsets.UTF_8);
        FlushRecorder out = new FlushRecorder();
        SseWriter.writeEvent(out, event, true);
        assertEquals(2, out.flushed.size());
        byte[] first = out.flushed.get(0);
        assertEquals(0xE4, first[first.length - 1] & 0xFF, "ends with the lead byte of 你");
        assertThrows(CharacterCodingException.class, () -> StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(first)));
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        out.flushed.forEach(joined::writeBytes);
        assertArrayEquals(event, joined.toByteArray());
    }

    @Test
    void asciiEventsAndUnsplitWritesStayWhole() throws Exception {
        FlushRecorder out = new FlushRecorder();
        SseWriter.writeEvent(out, "data: {}\n\n".getBytes(StandardCharsets.UTF_8), true);
        SseWriter.writeEvent(out, "data: \"é\"\n\n".getBytes(StandardCharsets.UTF_8), false);
        assertEquals(2, out.flushed.size());
        assertTrue(new String(out.flushed.get(1), StandardCharsets.UTF_8).contains("é"));
        assertEquals(-1, SseWriter.firstMultiByteCut("abc".getBytes(StandardCharsets.UTF_8)));
    }
}
