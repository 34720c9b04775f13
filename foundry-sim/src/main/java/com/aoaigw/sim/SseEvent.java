package com.aoaigw.sim;

/**
 * One server-sent event, already serialised with its trailing blank line.
 *
 * @param bytes the UTF-8 bytes of the event
 * @param paced true for a content event, which waits the per-token delay before it is written
 */
record SseEvent(byte[] bytes, boolean paced) {
}
