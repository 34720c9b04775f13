package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.proxy.upstream.FakeUpstreamClient;
import com.aoaigw.proxy.upstream.UpstreamClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.HeaderNames;
import io.helidon.webclient.http1.Http1ClientResponse;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.testing.junit5.DirectClient;
import io.helidon.webserver.testing.junit5.RoutingTest;
import io.helidon.webserver.testing.junit5.SetUpRoute;

/**
 * The proxy's own routing ({@link ProxyServer#routing}: filters, error handlers, client API, admin area, 404) run
 * without a socket by Helidon's {@code @RoutingTest}, over a {@link FakeUpstreamClient}: what the forwarder sends
 * upstream and what the client gets back, for answers, streams and failures.
 */
@RoutingTest
@Timeout(60)
class ProxyRoutingTest {
    private static final FakeUpstreamClient UPSTREAM = new FakeUpstreamClient();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static RoutingFixture fixture;

    private final DirectClient client;

    ProxyRoutingTest(DirectClient client) {
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
                .header(HeaderNames.COOKIE, "session=1")
                .submit(body);
    }

    private static JsonNode json(String s) throws IOException {
        return MAPPER.readTree(s);
    }

    @Test
    void aChatGoesToItsDeploymentWithTheUpstreamCredentialAndComesBackAsAzureSentIt() throws IOException {
        UPSTREAM.json(200, "{\"id\":\"c1\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}",
                "x-ratelimit-remaining-requests", "9", "set-cookie", "azure=1");
        int before = UPSTREAM.requests().size();
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")) {
            assertEquals(200, res.status().code());
            assertEquals("{\"id\":\"c1\",\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}", res.as(String.class));
            assertEquals("9", res.headers().first(HeaderNames.create("x-ratelimit-remaining-requests")).orElseThrow());
            assertFalse(res.headers().contains(HeaderNames.SET_COOKIE), "only allowed upstream headers pass");
            assertEquals("model=m1, deployment=u/dep-1",
                    res.headers().first(HeaderNames.create("x-aoaigw-served-by")).orElseThrow());
        }
        UpstreamClient.Request sent = UPSTREAM.requests().get(before);
        assertEquals("http://127.0.0.1:9/openai/v1/chat/completions", sent.target().toString());
        assertEquals("dep-1", json(new String(sent.body(), StandardCharsets.UTF_8)).path("model").asText());
        assertEquals("azure-key", ((com.aoaigw.config.UpstreamAuth.ApiKey) sent.auth()).key().reveal());
        assertTrue(sent.forwardedHeaders().stream().noneMatch(h -> h.name().equalsIgnoreCase("authorization")
                || h.name().equalsIgnoreCase("cookie")), "client credentials and cookies stay behind");
    }

    @Test
    void aStreamIsRelayedEventByEventAndTheInjectedUsageChunkIsDropped() throws IOException {
        UPSTREAM.stream("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\n\n"
                + "data: [DONE]\n\n");
        int before = UPSTREAM.requests().size();
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"stream\":true,\"messages\":[]}")) {
            assertEquals(200, res.status().code());
            assertTrue(res.headers().first(HeaderNames.CONTENT_TYPE).orElseThrow().startsWith("text/event-stream"));
            assertEquals("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n", res.as(String.class));
        }
        JsonNode sent = json(new String(UPSTREAM.requests().get(before).body(), StandardCharsets.UTF_8));
        assertTrue(sent.path("stream_options").path("include_usage").asBoolean(), sent.toString());
    }

    @Test
    void aChatStreamCutBeforeDoneEndsWithAnOpenAiErrorEvent() {
        UPSTREAM.stream("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n");
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"stream\":true,\"messages\":[]}")) {
            assertEquals(200, res.status().code());
            String body = res.as(String.class);
            assertTrue(body.startsWith("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"), body);
            assertTrue(body.contains("\"code\":\"upstream_stream_truncated\""), body);
        }
    }

    @Test
    void azuresErrorPassesThroughWithItsStatus() {
        UPSTREAM.json(400, "{\"error\":{\"code\":\"content_filter\",\"message\":\"no\"}}");
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"messages\":[]}")) {
            assertEquals(400, res.status().code());
            assertEquals("{\"error\":{\"code\":\"content_filter\",\"message\":\"no\"}}", res.as(String.class));
        }
    }

    @Test
    void noAnswerFromTheUpstreamIsAnOpenAiShaped502() throws IOException {
        UPSTREAM.fail(502, "upstream_connection_reset");
        try (Http1ClientResponse res = chat("{\"model\":\"m1\",\"messages\":[]}")) {
            assertEquals(502, res.status().code());
            assertEquals("upstream_connection_reset", json(res.as(String.class)).path("error").path("code").asText());
        }
    }

    @Test
    void withoutAKeyNothingGoesUpstream() throws IOException {
        int before = UPSTREAM.requests().size();
        try (Http1ClientResponse res = client.post("/v1/chat/completions")
                .header(HeaderNames.CONTENT_TYPE, "application/json").submit("{\"model\":\"m1\"}")) {
            assertEquals(401, res.status().code());
            assertEquals("invalid_api_key", json(res.as(String.class)).path("error").path("code").asText());
        }
        assertEquals(before, UPSTREAM.requests().size());
    }

    @Test
    void anUnknownPathIsA404UnknownUrl() throws IOException {
        try (Http1ClientResponse res = client.get("/v2/nothing").request()) {
            assertEquals(404, res.status().code());
            assertEquals("unknown_url", json(res.as(String.class)).path("error").path("code").asText());
        }
    }

    private static String basic() {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                ("admin:" + fixture.admin.generatedPassword().orElseThrow()).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anAdminApiErrorIsRenderedInTheAdminShapeByTheOneHandlerWithTheFiltersHeaders() throws IOException {
        try (Http1ClientResponse res = client.get("/admin/api/nothing-here")
                .header(HeaderNames.AUTHORIZATION, basic()).request()) {
            assertEquals(404, res.status().code());
            JsonNode err = json(res.as(String.class)).path("error");
            assertEquals("not_found", err.path("code").asText());
            // the path as the admin API service sees it, relative to /admin/api (as before the exception type)
            assertEquals("no admin API route GET /nothing-here", err.path("message").asText());
            assertTrue(err.path("details").isArray() && err.path("details").isEmpty(), err.toString());
            assertEquals("no-store", res.headers().first(HeaderNames.CACHE_CONTROL).orElseThrow(),
                    "headers set before the throw stay");
        }
    }

    @Test
    void anInvalidConfigSaveIsA422WithEveryProblem() throws IOException {
        String etag;
        try (Http1ClientResponse res = client.get("/admin/api/config")
                .header(HeaderNames.AUTHORIZATION, basic()).request()) {
            assertEquals(200, res.status().code());
            etag = json(res.as(String.class)).path("etag").asText();
        }
        try (Http1ClientResponse res = client.put("/admin/api/config")
                .header(HeaderNames.AUTHORIZATION, basic())
                .header(HeaderNames.create("X-Requested-With"), "test")
                .header(HeaderNames.IF_MATCH, "\"" + etag + "\"")
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .submit("{\"upstreams\":[],\"models\":[{\"id\":\"m1\",\"upstream\":\"nowhere\"}]}")) {
            assertEquals(422, res.status().code());
            JsonNode err = json(res.as(String.class)).path("error");
            assertEquals("config_invalid", err.path("code").asText());
            assertEquals("the config has errors; nothing was saved", err.path("message").asText());
            assertFalse(err.path("details").isEmpty(), err.toString());
            assertEquals("error", err.path("details").get(0).path("severity").asText());
        }
    }

    @Test
    void aBareOpenaiPathIsAClientApiPathItNeedsAKeyThenIsUnknown() throws IOException {
        try (Http1ClientResponse res = client.get("/openai").request()) {
            assertEquals(401, res.status().code());
            assertEquals("invalid_api_key", json(res.as(String.class)).path("error").path("code").asText());
        }
        try (Http1ClientResponse res = client.get("/openai")
                .header(HeaderNames.AUTHORIZATION, "Bearer client-key").request()) {
            assertEquals(404, res.status().code());
            assertEquals("unknown_url", json(res.as(String.class)).path("error").path("code").asText());
        }
    }
}
