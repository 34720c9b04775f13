package com.aoaigw.sim;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.ServerResponse;

/**
 * Writes an SSE answer with the simulated latency and the stream faults, one flush per event, and counts the
 * clients that went away.
 */
final class SseWriter {
    /** Events written before the mid-stream faults strike. */
    static final int EVENTS_BEFORE_MID_STREAM_FAULT = 3;
    private static final byte[] HEADERS_ONLY = {'\n'};

    private final RequestRecorder recorder;

    SseWriter(RequestRecorder recorder) {
        this.recorder = recorder;
    }

    /**
     * Writes the events.
     *
     * @param coalesce true to skip the flush after each event (benchmark mode without pauses or faults: the
     *                 events then leave in as few chunks as the server's write buffer allows)
     */
    void write(ServerResponse res, List<SseEvent> events, RequestOptions o, boolean coalesce) {
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        recorder.streamStarted();
        boolean split = o.fault() == Fault.SPLIT_UTF8;
        try {
            OutputStream os = res.outputStream();
            if (o.fault() == Fault.STALL_BEFORE_FIRST_EVENT) {
                // Helidon commits the status line and headers only together with body bytes; a lone line feed is
                // the smallest body that SSE parsers ignore (a blank line with no data dispatches nothing).
                os.write(HEADERS_ONLY);
                os.flush();
                Pause.millis(o.delayMs());
            }
            Pause.millis(o.ttftMs());
            int written = 0;
            // paced by the clock, like a model producing tokens at a steady rate: a late write (a busy machine) is
            // not passed on to every later event, as sleeping a full interval after each write would do
            long start = System.nanoTime();
            long pauses = 0;
            for (SseEvent ev : events) {
                if (ev.paced() && written > 0) {
                    pauses++;
                    Pause.nanos(start + pauses * o.intervalNanos() - System.nanoTime());
                }
                if (o.fault() == Fault.RESET_MID_STREAM && written == EVENTS_BEFORE_MID_STREAM_FAULT) {
                    // Abort: Helidon closes the socket without the terminating chunk.
                    throw new CloseConnectionException("simulated reset-mid-stream");
                }
                if (coalesce) {
                    os.write(ev.bytes());
                } else {
                    writeEvent(os, ev.bytes(), split);
                }
                written++;
                if (o.fault() == Fault.STALL_MID_STREAM && written == EVENTS_BEFORE_MID_STREAM_FAULT) {
                    Pause.millis(o.delayMs());
                }
            }
            if (o.fault() == Fault.LINGER_AFTER_LAST_EVENT) {
                os.flush();
                Pause.millis(o.delayMs());
            }
            os.close();
            recorder.streamCompleted();
        } catch (IOException | UncheckedIOException | ServerConnectionException e) {
            recorder.clientDisconnected();
            throw new CloseConnectionException("client went away during the stream", e);
        }
    }

    /**
     * Writes one event and flushes it; with {@code split}, an event holding a multi-byte character is written in two
     * flushes cut after the first byte of that character.
     */
    static void writeEvent(OutputStream os, byte[] bytes, boolean split) throws IOException {
        int cut = split ? firstMultiByteCut(bytes) : -1;
        if (cut > 0) {
            os.write(bytes, 0, cut);
            os.flush();
            os.write(bytes, cut, bytes.length - cut);
        } else {
            os.write(bytes);
        }
        os.flush();
    }

    /** @return the index just after the lead byte of the first multi-byte UTF-8 character, or -1 */
    static int firstMultiByteCut(byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if ((bytes[i] & 0xC0) == 0xC0) {
                return i + 1;
            }
        }
        return -1;
    }
}
