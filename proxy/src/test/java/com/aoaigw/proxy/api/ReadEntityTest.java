package com.aoaigw.proxy.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class ReadEntityTest {
    private static InputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsExactlyTheAnnouncedLength() throws IOException {
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), Forwarder.readEntity(in("abc"), OptionalLong.of(3)));
        assertArrayEquals(new byte[0], Forwarder.readEntity(in(""), OptionalLong.of(0)));
        assertArrayEquals("abcdef".getBytes(StandardCharsets.UTF_8), Forwarder.readEntity(in("abcdef"),
                OptionalLong.empty()), "no length: everything");
    }

    @Test
    void aShortEntityIsAnError() {
        assertThrows(IOException.class, () -> Forwarder.readEntity(in("abc"), OptionalLong.of(5)));
    }

    @Test
    void aHugeAnnouncedLengthReservesNothingUpFront() throws IOException {
        // 2 GB announced, 3 bytes sent: read as they come (the framing stream of a real exchange ends it)
        byte[] got = Forwarder.readEntity(in("abc"), OptionalLong.of(2_000_000_000L));
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), got);
    }

    @Test
    void theDrainAfterA413StopsAtItsByteBound() {
        // 10 MiB of upload left: 4 MiB is read and thrown away, the rest is cut off by the close
        InputStream rest = new ByteArrayInputStream(new byte[10 << 20]);
        assertEquals(Forwarder.DRAIN_MAX_BYTES, Forwarder.drain(rest, Forwarder.DRAIN_MAX_BYTES, Long.MAX_VALUE / 2));
        assertEquals(3, Forwarder.drain(in("abc"), Forwarder.DRAIN_MAX_BYTES, Long.MAX_VALUE / 2), "a shorter rest");
    }

    @Test
    void theDrainAfterA413StopsAtItsTimeBound() {
        // a slow upload: 1 KiB every 20 ms, with 200 ms allowed, stops after about ten reads
        InputStream slow = new InputStream() {
            @Override
            public int read() {
                return 0;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Math.min(len, 1024);
            }
        };
        long got = Forwarder.drain(slow, Forwarder.DRAIN_MAX_BYTES, 200_000_000L);
        org.junit.jupiter.api.Assertions.assertTrue(got >= 1024 && got <= 20 * 1024, "drained " + got);
    }
}
