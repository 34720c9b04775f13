package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

/**
 * One Redis connection of a shared-state store (limits, admin console, usage history): the client with the options
 * they all need, the connection made once (its scripts loaded), and the outage cycle. A store calls {@link #markDown}
 * when a command fails; only the call that turns the link down gets {@code true} (so the store logs and falls back
 * once), and {@link #probeUntilBack} then pings in the background until Redis answers again.
 *
 * <p>While disconnected, a command fails at once instead of waiting in a queue, so the store's fallback answers.
 */
public final class RedisLink implements AutoCloseable {
    private final RedisClient client;
    private final ClientResources resources;
    private final Consumer<StatefulRedisConnection<String, String>> onConnect;
    private final AtomicBoolean up = new AtomicBoolean(true);
    private final Object lock = new Object();
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile boolean closed;
    private Thread prober;

    /**
     * Creates the client; nothing is connected until {@link #connect()}.
     *
     * @param url               {@code redis://} or {@code rediss://} URL, password included
     * @param commandTimeout    how long one command may take
     * @param maxReconnectDelay the longest pause between Lettuce's reconnect attempts
     * @param onConnect         run on each new connection before it is used (loads the store's scripts)
     */
    public RedisLink(String url, Duration commandTimeout, Duration maxReconnectDelay,
                     Consumer<StatefulRedisConnection<String, String>> onConnect) {
        this.onConnect = onConnect;
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(2));
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), maxReconnectDelay, 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .build());
    }

    /** @return the connection, made (and its scripts loaded) on the first call */
    public StatefulRedisConnection<String, String> connect() {
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            return c;
        }
        synchronized (lock) {
            if (connection == null) {
                StatefulRedisConnection<String, String> n = client.connect();
                onConnect.accept(n);
                connection = n;
            }
            return connection;
        }
    }

    /** @return the connection if one was made, else null */
    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    /** @return false from the first failed command until Redis answers a probe again */
    public boolean up() {
        return up.get();
    }

    /** @return true once {@link #close()} ran */
    public boolean closed() {
        return closed;
    }

    /** @return true when this call turned the link down (the caller then logs once and switches to its fallback) */
    public boolean markDown() {
        return !closed && up.compareAndSet(true, false);
    }

    /**
     * Starts (unless one runs) a background probe that pings every {@code pauseMillis}; when Redis answers it runs
     * {@code onBack} with the connection (re-sync, log) and marks the link up.
     *
     * @param threadName  name of the probing thread
     * @param pauseMillis pause between pings
     * @param onBack      what to do when Redis answers again, before commands go to it
     */
    public void probeUntilBack(String threadName, long pauseMillis,
                               Consumer<StatefulRedisConnection<String, String>> onBack) {
        synchronized (lock) {
            if (prober == null || !prober.isAlive()) {
                prober = Thread.ofVirtual().name(threadName).start(() -> probe(pauseMillis, onBack));
            }
        }
    }

    private void probe(long pauseMillis, Consumer<StatefulRedisConnection<String, String>> onBack) {
        while (!closed) {
            try {
                Thread.sleep(pauseMillis);
                StatefulRedisConnection<String, String> c = connect();
                c.sync().ping();
                onBack.accept(c);
                up.set(true);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // still down: try again after the pause
            }
        }
    }

    /**
     * Runs a loaded script by its digest, or by its text when Redis lost it (a restart or SCRIPT FLUSH; EVAL loads
     * it again under the same digest).
     *
     * @param r      the connection's commands
     * @param sha    the digest from SCRIPT LOAD
     * @param script the script's text
     * @param type   the reply type
     * @param keys   KEYS
     * @param args   ARGV
     * @param <T>    the reply's Java type
     * @return the reply
     */
    public static <T> T eval(RedisCommands<String, String> r, String sha, String script, ScriptOutputType type,
                             String[] keys, String[] args) {
        try {
            return r.evalsha(sha, type, keys, args);
        } catch (RedisNoScriptException e) {
            return r.eval(script, type, keys, args);
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread p;
        synchronized (lock) {
            p = prober;
        }
        if (p != null) {
            p.interrupt();
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
