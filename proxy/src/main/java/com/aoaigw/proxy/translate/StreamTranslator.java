package com.aoaigw.proxy.translate;

import java.util.List;
import java.util.Optional;

/**
 * Translates one upstream SSE stream into the client's stream format. One instance per request; not thread safe.
 *
 * <p>The caller feeds whole events (already split on blank lines and decoded from UTF-8 as whole events, so
 * multi-byte characters are never split), writes every returned event to the client with a flush, and calls
 * {@link #finish()} once when the upstream ends.
 */
public interface StreamTranslator {
    /**
     * Translates one upstream event (its {@code event:} name and {@code data:} text are decoded on demand).
     *
     * @param event the upstream event
     * @return zero or more client events, in order
     */
    List<SseEvent> onEvent(SseEvent event);

    /**
     * The upstream ended. Emits the closing events; if the upstream never sent a terminal event, the client gets an
     * error event.
     *
     * @return zero or more client events
     */
    List<SseEvent> finish();

    /**
     * Whether the client stream is complete (a terminal event was emitted); later upstream events are ignored.
     *
     * @return {@code true} once terminal
     */
    boolean done();

    /**
     * The usage reported by the upstream, once seen.
     *
     * @return the usage, or empty
     */
    Optional<Usage> usage();
}
