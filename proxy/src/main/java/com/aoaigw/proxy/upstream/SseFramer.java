package com.aoaigw.proxy.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

import com.aoaigw.proxy.translate.SseEvent;

/**
 * Splits a byte stream into whole server-sent events without decoding it. An event ends at a blank line
 * (two line terminators in a row; {@code \n}, {@code \r\n} and {@code \r} all count), and its bytes are returned
 * exactly as received, terminator included. Stray blank lines between events carry nothing and are skipped. Because nothing is decoded, a UTF-8 character split across two reads
 * reaches the client intact inside its event.
 */
public final class SseFramer {
    private static final int MAX_EVENT = 64 * 1024 * 1024;
    /**
     * The first buffer: an Azure event is a few hundred bytes, and the buffer doubles when one is larger. It is held
     * for the whole life of a stream, so with thousands of open streams its size is what the heap holds per stream.
     */
    static final int INITIAL_BUFFER = 2048;

    private final InputStream in;
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int start;
    private int end;
    private int scan;
    private boolean atLineStart = true;
    private boolean eof;
    private boolean truncated;

    /** @param in the upstream body */
    public SseFramer(InputStream in) {
        this.in = in;
    }

    /**
     * Blocks until the next whole event is available.
     *
     * @return the event, or null at the end of the stream
     * @throws IOException when reading fails or an event exceeds 64 MiB
     */
    public SseEvent next() throws IOException {
        while (true) {
            SseEvent e = poll();
            if (e != null) {
                return e;
            }
            if (eof) {
                truncated = end > start;
                return null;
            }
            fill();
        }
    }

    /**
     * The next whole event if the bytes already read hold one, without reading (never blocks). The scan goes on
     * where it stopped, so {@link #next} afterwards continues from the same place.
     *
     * @return the event, or null when more bytes are needed (or the stream ended)
     */
    public SseEvent poll() {
        while (scan < end) {
            byte b = buf[scan];
            if (b == '\n' || b == '\r') {
                int eol = 1;
                if (b == '\r') {
                    if (scan + 1 < end) {
                        eol = buf[scan + 1] == '\n' ? 2 : 1;
                    } else if (!eof) {
                        return null; // a CR at the end of the data: wait for the next byte to know if LF follows
                    }
                }
                if (atLineStart) {
                    int eventEnd = scan + eol;
                    boolean blank = scan == start;
                    byte[] raw = blank ? null : Arrays.copyOfRange(buf, start, eventEnd);
                    start = eventEnd;
                    scan = eventEnd;
                    if (blank) {
                        // a blank line with nothing before it dispatches nothing in SSE: skip it
                        continue;
                    }
                    return new SseEvent(raw);
                }
                atLineStart = true;
                scan += eol;
            } else {
                atLineStart = false;
                scan++;
            }
        }
        return null;
    }

    /** @return true when the stream ended in the middle of an event (bytes after the last blank line) */
    public boolean truncated() {
        return truncated;
    }

    private void fill() throws IOException {
        if (start > 0) {
            System.arraycopy(buf, start, buf, 0, end - start);
            end -= start;
            scan -= start;
            start = 0;
        }
        if (end == buf.length) {
            if (buf.length >= MAX_EVENT) {
                throw new IOException("server-sent event larger than " + MAX_EVENT + " bytes");
            }
            buf = Arrays.copyOf(buf, Math.min(MAX_EVENT, buf.length * 2));
        }
        int n = in.read(buf, end, buf.length - end);
        if (n < 0) {
            eof = true;
        } else {
            end += n;
        }
    }
}
