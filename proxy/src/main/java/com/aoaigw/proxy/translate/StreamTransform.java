package com.aoaigw.proxy.translate;

import java.io.IOException;

/**
 * Rewrites a stream event by event. One instance per request (it may keep state). It sees the upstream's events
 * in order and writes zero or more client events for each. Usage is captured by the proxy from the upstream
 * events before the transform sees them, so a transform does not report usage.
 */
public interface StreamTransform {
    /** Pass-through: every upstream event reaches the client byte for byte. */
    StreamTransform IDENTITY = new StreamTransform() {
        @Override
        public void onEvent(SseEvent event, EventSink out) throws IOException {
            out.send(event);
        }
    };

    /**
     * @param event an upstream event
     * @param out   the client
     * @throws IOException when the client went away
     */
    void onEvent(SseEvent event, EventSink out) throws IOException;

    /**
     * Called once after the upstream stream ended normally (not after an error).
     *
     * @param out the client
     * @throws IOException when the client went away
     */
    default void onEnd(EventSink out) throws IOException {
    }
}
