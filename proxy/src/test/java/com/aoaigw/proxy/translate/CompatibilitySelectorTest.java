package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.Upstream;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.route.ModelFamily;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.proxy.route.RoutePlan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The production translation selector: which requests get which plan, and that the plan's parts work together. */
@Timeout(5)
class CompatibilitySelectorTest {
    private final ObjectMapper mapper = new ObjectMapper();
    private final CompatibilitySelector translators = new CompatibilitySelector(mapper, IdSource.counting(),
            InstantSource.fixed(Instant.ofEpochSecond(1_700_000_000L)));

    private static RoutePlan route(RouteKey client, RouteKey backend, String deployment, String family,
                                   List<String> disabled) {
        ModelRoute model = new ModelRoute("m", "u", deployment, Map.of(), List.of(), family, disabled, List.of(), null);
        return new RoutePlan(client, backend, model, model.effectiveDeployments().getFirst(),
                new Upstream("u", "http://127.0.0.1:1", Map.of(), null, null, null, null),
                URI.create("http://127.0.0.1:1/openai/v1/" + backend.key()), ModelFamily.of(family, deployment));
    }

    @Test
    void passThroughWhenNothingCanChange() {
        assertSame(TranslationPlan.NONE, translators.plan(route(RouteKey.EMBEDDINGS, RouteKey.EMBEDDINGS,
                "text-embedding-3-small", "", List.of()), false));
        assertSame(TranslationPlan.NONE, translators.plan(route(RouteKey.IMAGES, RouteKey.IMAGES, "gpt-image-1", "",
                List.of()), false));
        assertSame(TranslationPlan.NONE, translators.plan(route(RouteKey.CHAT, RouteKey.CHAT, "prod-chat", "",
                List.of()), true));
        List<String> all = java.util.Arrays.stream(NormalizationRule.values()).map(NormalizationRule::ruleName).toList();
        assertSame(TranslationPlan.NONE, translators.plan(route(RouteKey.CHAT, RouteKey.CHAT, "gpt-5", "", all), true));
    }

    @Test
    void sameApiNormalisesOnlyTheRequest() {
        TranslationPlan plan = translators.plan(route(RouteKey.CHAT, RouteKey.CHAT, "prod-chat", "o-series",
                List.of()), false);
        ObjectNode body = mapper.createObjectNode().put("model", "prod-chat").put("max_tokens", 5)
                .put("reasoning_effort", "xhigh");
        ObjectNode upstream = plan.request().orElseThrow().apply(body);
        assertEquals(5, upstream.path("max_completion_tokens").asInt(), upstream.toString());
        assertEquals("high", upstream.path("reasoning_effort").asText());
        assertSame(StreamTransform.IDENTITY, plan.stream().get());
        byte[] answer = "{\"x\":1}".getBytes(StandardCharsets.UTF_8);
        assertSame(answer, plan.response().apply(answer));
    }

    @Test
    void requestErrorsReachTheDataPlaneAsTranslationExceptions() {
        TranslationPlan plan = translators.plan(route(RouteKey.CHAT, RouteKey.CHAT, "gpt-4o", "", List.of()), false);
        ObjectNode body = mapper.createObjectNode().put("model", "gpt-4o").put("reasoning_effort", "low");
        RuntimeException e = assertThrows(RuntimeException.class, () -> plan.request().orElseThrow().apply(body));
        TranslationException error = assertInstanceOf(TranslationException.class, e);
        assertEquals("reasoning_effort", error.param());
        assertEquals("unsupported_parameter", error.code());
    }

    @Test
    void chatClientOfResponsesTranslatesRequestBodyAndStream() throws IOException {
        TranslationPlan plan = translators.plan(route(RouteKey.CHAT, RouteKey.RESPONSES, "gpt-5-mini", "",
                List.of()), true);
        ObjectNode body = (ObjectNode) mapper.readTree("{\"model\":\"gpt-5-mini\",\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        ObjectNode upstream = plan.request().orElseThrow().apply(body);
        assertEquals("hi", upstream.path("input").path(0).path("content").asText(), upstream.toString());

        StreamTransform transform = plan.stream().get();
        assertNotSame(StreamTransform.IDENTITY, transform);
        List<String> sent = new ArrayList<>();
        transform.onEvent(SseEvent.of("response.output_text.delta",
                "{\"type\":\"response.output_text.delta\",\"delta\":\"Hé\"}"), ev -> sent.add(ev.toString()));
        transform.onEvent(SseEvent.of("response.completed",
                "{\"type\":\"response.completed\",\"response\":{\"status\":\"completed\",\"output\":[]}}"),
                ev -> sent.add(ev.toString()));
        transform.onEnd(ev -> sent.add(ev.toString()));
        assertEquals(4, sent.size(), sent.toString());
        assertTrue(sent.get(1).contains("\"content\":\"Hé\""), sent.get(1));
        assertTrue(sent.get(2).contains("\"finish_reason\":\"stop\""), sent.get(2));
        assertEquals("data: [DONE]\n\n", sent.get(3));
    }

    @Test
    void failedResponsesBodyBecomesAnUpstreamFailure() throws IOException {
        TranslationPlan plan = translators.plan(route(RouteKey.CHAT, RouteKey.RESPONSES, "gpt-5", "", List.of()),
                false);
        plan.request().orElseThrow().apply((ObjectNode) mapper.readTree(
                "{\"model\":\"gpt-5\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        byte[] failed = "{\"status\":\"failed\",\"error\":{\"code\":\"server_error\",\"message\":\"boom\"}}"
                .getBytes(StandardCharsets.UTF_8);
        ProxyException e = assertThrows(ProxyException.class, () -> plan.response().apply(failed));
        assertEquals(502, e.status());
        assertEquals("upstream_server_error", e.code());
        byte[] ok = ("{\"id\":\"resp_1\",\"status\":\"completed\",\"created_at\":1,\"model\":\"gpt-5\",\"output\":["
                + "{\"type\":\"message\",\"content\":[{\"type\":\"output_text\",\"text\":\"fine\"}]}]}")
                .getBytes(StandardCharsets.UTF_8);
        JsonNode chat = mapper.readTree(plan.response().apply(ok));
        assertEquals("fine", chat.path("choices").path(0).path("message").path("content").asText());
    }
}
