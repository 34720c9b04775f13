package com.aoaigw.proxy.translate;

import java.io.IOException;

/** Where a stream transform writes client events. Each {@link #send} writes one whole event and flushes it. */
public interface EventSink {
    /**
     * Writes one event and flushes.
     *
     * @param event the event (its raw bytes are written unchanged)
     * @throws IOException when the client went away
     */
    void send(SseEvent event) throws IOException;
}
