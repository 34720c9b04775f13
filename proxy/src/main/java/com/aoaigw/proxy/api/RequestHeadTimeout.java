package com.aoaigw.proxy.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Closes a client connection whose request head is not complete {@code REQUEST_HEAD_TIMEOUT_MS} after its request
 * line arrived. Helidon 4.5 bounds only the wait for a request line (its idle-connection check, set from
 * {@code KEEP_ALIVE_IDLE_TIMEOUT_MS}); a connection that sent a request line and then half its headers was never
 * closed. As a receive listener of the HTTP/1.1 connections this notes when a request line arrives and when the
 * headers are complete (both on the connection's own thread); one sweeper closes the socket of every head that
 * is late, which ends the connection's blocked read.
 */
public final class RequestHeadTimeout implements Http1ConnectionListener, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RequestHeadTimeout.class.getName());

    private final long timeoutNanos;
    /** Connections reading headers, with the time their request line arrived. */
    private final Map<ConnectionContext, Long> reading = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /** @param timeoutMs the longest a request head may take after its request line, in ms */
    public RequestHeadTimeout(long timeoutMs) {
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "aoaigw-request-head-timeout");
            t.setDaemon(true);
            return t;
        });
        long period = Math.clamp(timeoutMs / 4, 20, 1000);
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
        reading.put(ctx, System.nanoTime());
    }

    @Override
    public void headers(ConnectionContext ctx, Headers headers) {
        reading.remove(ctx);
    }

    private void sweep() {
        long now = System.nanoTime();
        for (Map.Entry<ConnectionContext, Long> e : reading.entrySet()) {
            // a head whose parsing failed never reports its headers: its (closed) connection is dropped here too
            if (now - e.getValue() >= timeoutNanos && reading.remove(e.getKey(), e.getValue())) {
                LOG.log(System.Logger.Level.DEBUG, "closing a connection whose request head is incomplete");
                try {
                    e.getKey().serverSocket().close();
                } catch (RuntimeException ex) {
                    // already closed
                }
            }
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        reading.clear();
    }
}
