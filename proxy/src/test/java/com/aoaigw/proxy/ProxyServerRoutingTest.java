package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.proxy.upstream.FakeUpstreamClient;

import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;

/**
 * The proxy's own routing on a real socket (Helidon {@code @ServerTest} starts a server on a free loopback port
 * with it) over a {@link FakeUpstreamClient}: a relayed stream ends the chunked response properly, so the same
 * kept-alive connection carries the next request, and every answer carries an {@code x-request-id}.
 */
@ServerTest
@Timeout(60)
class ProxyServerRoutingTest {
    private static final FakeUpstreamClient UPSTREAM = new FakeUpstreamClient();
    private static RoutingFixture fixture;

    private final Http1Client client;

    ProxyServerRoutingTest(Http1Client client) {
        this.client = client;
    }

    @SetUpRoute
    static void routing(HttpRouting.Builder routing) throws IOException {
        fixture = new RoutingFixture(routing, UPSTREAM);
    }

    @AfterAll
    static void stop() throws IOException {
        fixture.close();
    }

    private Http1ClientResponse chat(String body) {
        return client.post("/v1/chat/completions")
                .header(HeaderNames.AUTHORIZATION, "Bearer client-key")
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .submit(body);
    }

    @Test
    void aStreamThenAnAnswerOnTheSameConnection() {
        UPSTREAM.stream("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n")
                .json(200, "{\"id\":\"second\"}");
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"stream\":true,\"messages\":[]}")) {
            assertEquals(200, res.status().code());
            assertEquals("no-cache", res.headers().first(HeaderNames.CACHE_CONTROL).orElseThrow());
            assertEquals("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n", res.as(String.class));
            assertTrue(res.headers().contains(HeaderNames.create("x-request-id")));
        }
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"messages\":[]}")) {
            assertEquals(200, res.status().code());
            assertEquals("{\"id\":\"second\"}", res.as(String.class));
            assertTrue(res.headers().contains(HeaderNames.create("x-request-id")));
        }
        assertEquals(2, UPSTREAM.requests().size());
    }
}
