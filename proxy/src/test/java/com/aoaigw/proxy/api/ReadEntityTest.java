package com.aoaigw.proxy.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
}
