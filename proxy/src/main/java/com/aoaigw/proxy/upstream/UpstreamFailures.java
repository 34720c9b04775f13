package com.aoaigw.proxy.upstream;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

import javax.net.ssl.SSLException;

import com.aoaigw.proxy.error.ProxyException;

import io.helidon.common.buffers.DataReader;

/**
 * Classifies an upstream failure by the real exception (walking the cause chain), so that each kind of failure
 * gets its own code. Codes and statuses are documented in {@code proxy/ERRORS.md}.
 */
public final class UpstreamFailures {
    /** The status recorded for a request whose client left before the answer (nginx's "client closed request"). */
    public static final int CLIENT_CLOSED = 499;
    private UpstreamFailures() {
    }

    /**
     * @param e       what the upstream call threw
     * @param expired the watchdog phase that ran out, or null
     * @return the error for the client
     */
    public static ProxyException.UpstreamFailure classify(Throwable e, Watchdog.Phase expired) {
        if (e instanceof ProxyException.UpstreamFailure f) {
            return f;
        }
        if (expired != null) {
            return switch (expired) {
                case FIRST_BYTE -> new ProxyException.UpstreamFailure(504, "upstream_first_byte_timeout",
                        "The upstream did not start answering within firstByteTimeoutMs.", e);
                case IDLE -> new ProxyException.UpstreamFailure(504, "upstream_idle_timeout",
                        "The upstream stream was silent for longer than idleTimeoutMs.", e);
                case REQUEST -> new ProxyException.UpstreamFailure(504, "upstream_request_timeout",
                        "The upstream exchange took longer than requestTimeoutMs.", e);
                // never sent (the client is gone): recorded in the access log as 499, as nginx does
                case CLIENT_GONE -> new ProxyException.UpstreamFailure(CLIENT_CLOSED, "client_disconnected",
                        "The client closed the connection before the answer started; the upstream call was cancelled.",
                        e);
            };
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String msg = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            switch (t) {
                case UnknownHostException u -> {
                    return dns(e);
                }
                // Helidon's resolver reports an unknown host this way, without an UnknownHostException cause
                case IllegalArgumentException i when msg.contains("failed to get address for host") -> {
                    return dns(e);
                }
                case ConnectException c -> {
                    return new ProxyException.UpstreamFailure(502, "upstream_connection_refused",
                            "The upstream refused the connection.", e);
                }
                case NoRouteToHostException n -> {
                    return new ProxyException.UpstreamFailure(502, "upstream_unreachable",
                            "The upstream host is unreachable.", e);
                }
                case SocketTimeoutException s when msg.contains("connect") -> {
                    return new ProxyException.UpstreamFailure(504, "upstream_connect_timeout",
                            "Connecting to the upstream took longer than connectTimeoutMs.", e);
                }
                case SocketTimeoutException s -> {
                    return new ProxyException.UpstreamFailure(504, "upstream_read_timeout",
                            "Reading from the upstream timed out.", e);
                }
                case SSLException s -> {
                    return tls(e);
                }
                case SocketException s when msg.contains("reset") -> {
                    return new ProxyException.UpstreamFailure(502, "upstream_connection_reset",
                            "The upstream reset the connection.", e);
                }
                // Helidon's reader reports end of stream as InsufficientDataAvailableException (no EOFException)
                case EOFException eof -> {
                    return closed(e);
                }
                case DataReader.InsufficientDataAvailableException eof -> {
                    return closed(e);
                }
                default -> {
                    if (msg.contains("ssl handshake") || msg.contains("tls")) {
                        return tls(e);
                    }
                }
            }
        }
        return new ProxyException.UpstreamFailure(502, "upstream_network_error",
                "The connection to the upstream failed.", e);
    }

    private static ProxyException.UpstreamFailure dns(Throwable e) {
        return new ProxyException.UpstreamFailure(502, "upstream_dns_error",
                "The upstream host name could not be resolved.", e);
    }

    private static ProxyException.UpstreamFailure tls(Throwable e) {
        return new ProxyException.UpstreamFailure(502, "upstream_tls_error",
                "The TLS handshake with the upstream failed.", e);
    }

    private static ProxyException.UpstreamFailure closed(Throwable e) {
        return new ProxyException.UpstreamFailure(502, "upstream_connection_closed",
                "The upstream closed the connection before the answer was complete.", e);
    }

    /**
     * @param f a classified failure
     * @return true when it happened before the request reached the upstream, so a retry cannot double-spend
     */
    public static boolean beforeRequest(ProxyException.UpstreamFailure f) {
        return switch (f.code()) {
            case "upstream_connection_refused", "upstream_connect_timeout", "upstream_dns_error",
                 "upstream_unreachable" -> true;
            default -> false;
        };
    }
}
