package com.aoaigw.proxy.error;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.io.UncheckedIOException;
import java.io.IOException;

import javax.net.ssl.SSLHandshakeException;

import org.junit.jupiter.api.Test;

import com.aoaigw.proxy.upstream.UpstreamFailures;
import com.aoaigw.proxy.upstream.Watchdog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

class ErrorRendererTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final ErrorRenderer renderer = new ErrorRenderer(mapper.getFactory());

    @Test
    void openAiShape() throws Exception {
        JsonNode n = mapper.readTree(renderer.body(new ProxyException.Unauthorized()));
        assertEquals("invalid_api_key", n.at("/error/code").asText());
        assertEquals("invalid_request_error", n.at("/error/type").asText());
        assertEquals(true, n.at("/error/param").isNull());
        assertEquals(true, n.at("/error/message").asText().startsWith("Incorrect API key provided"));
        JsonNode m = mapper.readTree(renderer.body(new ProxyException.NotFound("model", "model_not_found", "x \"y\"")));
        assertEquals("model", m.at("/error/param").asText());
        assertEquals("x \"y\"", m.at("/error/message").asText());
        JsonNode ev = mapper.readTree(renderer.responsesErrorEvent(new ProxyException.UpstreamFailure(504,
                "upstream_idle_timeout", "m", null)));
        assertEquals("error", ev.get("type").asText());
        assertEquals("upstream_idle_timeout", ev.get("code").asText());
    }

    private static String code(Throwable t, Watchdog.Phase p) {
        return UpstreamFailures.classify(t, p).code();
    }

    @Test
    void networkFailuresAreClassifiedByTheRealException() {
        assertEquals("upstream_connection_refused", code(new UncheckedIOException(new ConnectException("Connection refused")), null));
        assertEquals("upstream_dns_error", code(new UncheckedIOException(new UnknownHostException("nohost.invalid")), null));
        assertEquals("upstream_dns_error", code(new IllegalArgumentException("Failed to get address for host nohost.invalid"), null));
        assertEquals("upstream_network_error", code(new IllegalArgumentException("something else"), null));
        assertEquals("upstream_connect_timeout", code(new UncheckedIOException(new SocketTimeoutException("Connect timed out")), null));
        assertEquals("upstream_read_timeout", code(new UncheckedIOException(new SocketTimeoutException("Read timed out")), null));
        assertEquals("upstream_tls_error", code(new UncheckedIOException("Failed to execute SSL handshake",
                new SSLHandshakeException("PKIX path building failed")), null));
        assertEquals("upstream_connection_reset", code(new SocketException("Connection reset"), null));
        assertEquals("upstream_network_error", code(new IOException("boom"), null));
        assertEquals("upstream_first_byte_timeout", code(new SocketException("Closed by interrupt"), Watchdog.Phase.FIRST_BYTE));
        assertEquals("upstream_idle_timeout", code(new SocketException("Closed by interrupt"), Watchdog.Phase.IDLE));
        assertEquals("upstream_request_timeout", code(new SocketException("Closed by interrupt"), Watchdog.Phase.REQUEST));
        assertEquals(504, UpstreamFailures.classify(new SocketException("x"), Watchdog.Phase.IDLE).status());
        assertEquals(502, UpstreamFailures.classify(new ConnectException("x"), null).status());
    }
}
