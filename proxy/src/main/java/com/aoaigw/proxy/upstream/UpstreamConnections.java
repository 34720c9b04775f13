package com.aoaigw.proxy.upstream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.atomic.AtomicBoolean;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;

/**
 * The keep-alive connections to the upstreams, held by the proxy instead of WebClient's own cache so that the proxy
 * can close the connection of a failed exchange itself. Helidon 4.5.0's HTTP/1.1 client closes a connection whose
 * status line could not be read only when the read threw {@code UncheckedIOException}; when the upstream closed the
 * connection before its headers, the end of stream arrives as {@code DataReader.InsufficientDataAvailableException},
 * and the socket is neither closed nor returned to the cache: it stayed in CLOSE_WAIT until a garbage collection
 * (README, known issues). WebClient's cache also drops a pooled connection found dead without closing it.
 *
 * <p>The same behaviour as WebClient's cache otherwise: one queue of idle connections per origin (scheme, host,
 * port, TLS), at most {@code perOrigin} idle ones, each watched while idle so that a connection the upstream closed
 * is found dead before it is used; a connection is returned when its response was read to the end.
 */
final class UpstreamConnections implements AutoCloseable {
    private static final List<String> HTTP1 = List.of("http/1.1");
    private static final Tls NO_TLS = Tls.builder().enabled(false).build();

    private final WebClient client;
    private final int perOrigin;
    private final Map<ConnectionKey, LinkedBlockingDeque<TcpClientConnection>> idle = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param client    the client whose settings (connect timeout, socket options, TLS, DNS) connections use
     * @param perOrigin idle connections kept per origin
     */
    UpstreamConnections(WebClient client, int perOrigin) {
        this.client = client;
        this.perOrigin = perOrigin;
    }

    /**
     * @param uri the target
     * @return an idle connection to its origin, or a new one (connected here: connect failures are thrown from here)
     */
    TcpClientConnection take(ClientUri uri) {
        Tls tls = "https".equals(uri.scheme()) ? client.prototype().tls() : NO_TLS;
        ConnectionKey key = ConnectionKey.create(uri.scheme(), uri.host(), uri.port(), tls,
                client.prototype().dnsResolver(), client.prototype().dnsAddressLookup(), Proxy.noProxy());
        LinkedBlockingDeque<TcpClientConnection> queue = idle.computeIfAbsent(key,
                k -> new LinkedBlockingDeque<>(perOrigin));
        TcpClientConnection c;
        while ((c = queue.pollFirst()) != null) {
            if (c.isConnected()) {
                return c;
            }
            c.closeResource(); // the upstream closed it while idle
        }
        return TcpClientConnection.create(client, key, HTTP1, conn -> release(queue, conn), conn -> {
        }).connect();
    }

    /** Called by the response's close when the connection may be reused. @return whether it was kept */
    private boolean release(LinkedBlockingDeque<TcpClientConnection> queue, TcpClientConnection conn) {
        if (closed.get() || !conn.isConnected()) {
            return false;
        }
        // watched from now on (one byte read in the background), so a close by the upstream is seen while idle;
        // this must happen before another thread can take it from the queue
        conn.helidonSocket().idle();
        return queue.offerFirst(conn);
    }

    /** Closes the idle connections; connections in use are closed instead of returned. */
    @Override
    public void close() {
        closed.set(true);
        for (LinkedBlockingDeque<TcpClientConnection> q : idle.values()) {
            TcpClientConnection c;
            while ((c = q.pollFirst()) != null) {
                c.closeResource();
            }
        }
    }
}
