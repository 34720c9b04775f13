package com.aoaigw.proxy.upstream;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.error.ProxyException;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.Headers;
import io.helidon.http.HeaderValues;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1ClientRequest;
import io.helidon.webclient.api.ClientUri;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webclient.api.WebClient;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientProtocolConfig;

/**
 * The one HTTP client towards Azure: a pooled Helidon WebClient shared by all requests, rebuilt only when
 * {@code connectTimeoutMs} or the pool settings change. {@link #attempt} makes one attempt at one deployment:
 * upstream credential, header policy, first-byte watchdog, and a single token refresh after a 401.
 */
public final class HttpUpstreamClient implements UpstreamClient, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(HttpUpstreamClient.class.getName());
    private static final HeaderName X_REQUEST_ID = HeaderNames.create("x-request-id");
    private static final HeaderName API_KEY = HeaderNames.create("api-key");
    private static final Header JSON = HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json");
    private static final Header ACCEPT_JSON = HeaderValues.createCached(HeaderNames.ACCEPT, "application/json");
    private static final Header ACCEPT_SSE = HeaderValues.createCached(HeaderNames.ACCEPT, "text/event-stream");

    private final CredentialCache credentials;
    /**
     * Parsed targets: Helidon re-parses a java.net.URI on every request (a regex and path encoding included). The
     * request copies what it needs from the ClientUri ({@code ClientUri.resolve} reads its argument, never changes it).
     */
    private final BoundedMemo<URI, ClientUri> targets = new BoundedMemo<>(4096, ClientUri::create);
    private volatile Built built;

    /**
     * @param settings    initial settings
     * @param credentials the credential cache
     */
    public HttpUpstreamClient(UpstreamSettings settings, CredentialCache credentials) {
        this.credentials = credentials;
        this.built = build(settings);
    }

    /**
     * Rebuilds the WebClient when the settings it depends on changed; in-flight requests keep the old one.
     *
     * @param settings the new settings
     */
    public void update(UpstreamSettings settings) {
        // a new config may route elsewhere: parsed targets of the old one are dropped
        targets.clear();
        Built b = built;
        if (!Objects.equals(b.settings().connectTimeoutMs(), settings.connectTimeoutMs())
                || !Objects.equals(b.settings().pool(), settings.pool())) {
            built = build(settings);
            // in-flight requests finish on the old connections, which are then closed instead of kept
            b.connections().close();
            LOG.log(System.Logger.Level.INFO, "upstream client rebuilt for new connect/pool settings");
        }
    }

    /** @return the settings the current WebClient was built with (what counts: its connect timeout and pool) */
    public UpstreamSettings settings() {
        return built.settings();
    }

    private static Built build(UpstreamSettings s) {
        WebClient client = WebClient.builder()
                .connectTimeout(Duration.ofMillis(s.connectTimeoutMs()))
                // small SSE events must not wait for delayed ACKs (Nagle)
                .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
                // the watchdog enforces the phases; the socket read timeout is only a backstop
                .readTimeout(Duration.ofMillis(Math.max(s.requestTimeoutMs(), 1000) + 5000))
                .followRedirects(false)
                .keepAlive(true)
                .connectionCacheSize(s.pool().connections())
                .shareConnectionCache(false)
                .sendExpectContinue(false)
                .proxy(Proxy.noProxy())
                .maxInMemoryEntity(1)
                // the request headers are the proxy's own, client headers the server validated on arrival, and the
                // credential (checked in send); Azure's response headers are validated
                .addProtocolConfig(Http1ClientProtocolConfig.builder()
                        .validateRequestHeaders(false).validateResponseHeaders(true).build())
                .build();
        // WebClient.post() looks the protocol up in a cache under a write lock on every call; the HTTP/1.1 client
        // taken once avoids that contention on the hot path. Its connections come from the proxy's own pool, so that
        // a failed exchange's connection can be closed (see UpstreamConnections)
        return new Built(s, client.client(Http1Client.PROTOCOL), new UpstreamConnections(client, s.pool().connections()));
    }

    @Override
    public Answer attempt(Request request, UpstreamSettings settings, Watchdog.Watch watch) {
        Built b = built;
        Http1Client client = b.client();
        boolean tokenRetried = false;
        while (true) {
            CredentialCache.AuthHeader auth = credentials.authorize(request.auth());
            if (!headerSafe(auth.value())) {
                throw new Failure(new ProxyException.UpstreamFailure(500, "invalid_upstream_credential",
                        "The upstream credential contains characters a header cannot carry.", null));
            }
            ClientUri uri = targets.get(request.target());
            Http1ClientRequest r = client.post().uri(uri)
                    .header(JSON)
                    .header(request.stream() ? ACCEPT_SSE : ACCEPT_JSON)
                    .header(X_REQUEST_ID, request.requestId())
                    .header(headerName(auth.name()), auth.value());
            for (Header h : request.forwardedHeaders()) {
                r.header(h);
            }
            long sentAt = System.nanoTime();
            HttpClientResponse resp;
            watch.arm(Watchdog.Phase.FIRST_BYTE, settings.firstByteTimeoutMs());
            TcpClientConnection connection = null;
            try {
                connection = b.connections().take(uri);
                resp = r.connection(connection).submit(request.body());
            } catch (RuntimeException e) {
                if (connection != null) {
                    // Helidon 4.5.0 leaves the connection open when the upstream closed it before the status line
                    // (README, known issues): close it here, whatever the failure, since it cannot be reused
                    connection.closeResource();
                }
                Watchdog.Phase expired = watch.expired();
                watch.disarm();
                throw new Failure(UpstreamFailures.classify(e, expired));
            }
            watch.disarm();
            int status = resp.status().code();
            if (status == 401 && auth.token() != null && !tokenRetried) {
                // Azure refused our token (revoked, or expired early): one retry with a fresh token
                tokenRetried = true;
                credentials.invalidate(auth);
                resp.close();
                continue;
            }
            return new Answer(new WebClientResponse(resp), sentAt);
        }
    }

    /** @return true when the value has no control character (CR and LF above all) */
    static boolean headerSafe(String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static HeaderName headerName(String name) {
        return switch (name) {
            case "authorization" -> HeaderNames.AUTHORIZATION;
            case "api-key" -> API_KEY;
            default -> HeaderNames.create(name);
        };
    }

    @Override
    public void close() {
        built.connections().close();
    }

    /** Helidon's response as an {@link UpstreamResponse}. */
    private record WebClientResponse(HttpClientResponse response) implements UpstreamResponse {
        @Override
        public int status() {
            return response.status().code();
        }

        @Override
        public Headers headers() {
            return response.headers();
        }

        @Override
        public InputStream inputStream() {
            return response.inputStream();
        }

        @Override
        public void close() {
            response.close();
        }
    }

    private record Built(UpstreamSettings settings, Http1Client client, UpstreamConnections connections) {
    }
}
