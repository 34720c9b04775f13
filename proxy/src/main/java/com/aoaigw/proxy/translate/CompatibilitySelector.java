package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.route.ModelFamily;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.proxy.route.RoutePlan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The production {@link TranslationSelector} ({@code proxy/HOOKS.md}): the model-compatibility policy. Chat and
 * responses requests are normalised for the plan's model family, and translated chat ⇄ responses by
 * {@link ApiTranslator} when the model's routes send them to the other API; the answers are translated back.
 * Embeddings and images, and requests nothing would change, keep the byte-for-byte path.
 */
public final class CompatibilitySelector implements TranslationSelector {
    private static final List<String> RULE_NAMES =
            java.util.Arrays.stream(NormalizationRule.values()).map(NormalizationRule::ruleName).toList();
    private final ObjectMapper mapper;
    private final ApiTranslator translator;

    /**
     * The production selector: random ids, the system clock.
     *
     * @param mapper the JSON mapper
     */
    public CompatibilitySelector(ObjectMapper mapper) {
        this(mapper, IdSource.random(), InstantSource.system());
    }

    /**
     * A selector with chosen ids and clock (tests).
     *
     * @param mapper the JSON mapper
     * @param ids    id source for invented ids
     * @param clock  clock for invented timestamps
     */
    public CompatibilitySelector(ObjectMapper mapper, IdSource ids, InstantSource clock) {
        this.mapper = mapper;
        this.translator = new ApiTranslator(mapper, ids, clock);
    }

    @Override
    public TranslationPlan plan(RoutePlan route, boolean stream) {
        if (!route.clientRoute().conversational() || !route.backendRoute().conversational()) {
            return TranslationPlan.NONE;
        }
        ApiKind client = kind(route.clientRoute());
        ApiKind backend = kind(route.backendRoute());
        ModelFamily family = route.family();
        if (client == backend && (!family.normalized() || route.model().disabledRules().containsAll(RULE_NAMES))) {
            // Nothing would change: keep the data plane's byte-for-byte path.
            return TranslationPlan.NONE;
        }
        Set<String> disabled = new HashSet<>(route.model().disabledRules());
        // One exchange per request: prepare() runs in the request transform, and the answer transforms use it.
        PreparedExchange prepared = new PreparedExchange();
        UnaryOperator<ObjectNode> request = body -> {
            prepared.exchange = translator.prepare(client, backend, family, disabled, body);
            return prepared.exchange.upstreamBody();
        };
        if (client == backend) {
            return new TranslationPlan(Optional.of(request), UnaryOperator.identity(), () -> StreamTransform.IDENTITY);
        }
        UnaryOperator<byte[]> response = bytes -> translateBody(prepared.exchange(), bytes);
        return new TranslationPlan(Optional.of(request), response,
                () -> new TranslatingStream(prepared.exchange().streamTranslator().orElseThrow()));
    }

    private byte[] translateBody(ApiTranslator.Exchange exchange, byte[] bytes) {
        try {
            JsonNode upstream = mapper.readTree(bytes);
            return mapper.writeValueAsBytes(exchange.translateBody(upstream));
        } catch (TranslationException e) {
            throw new ProxyException.UpstreamFailure(e.status() >= 500 ? e.status() : 502, "upstream_" + e.code(),
                    e.getMessage(), e);
        } catch (IOException e) {
            throw new ProxyException.UpstreamFailure(502, "upstream_invalid_json",
                    "The upstream answered with a body that is not JSON; it cannot be translated.", e);
        }
    }

    private static ApiKind kind(RouteKey key) {
        return switch (key) {
            case CHAT -> ApiKind.CHAT_COMPLETIONS;
            case RESPONSES -> ApiKind.RESPONSES;
            case EMBEDDINGS, IMAGES -> ApiKind.OTHER;
        };
    }

    /** Carries the exchange from the request transform to the answer transforms of the same request. */
    private static final class PreparedExchange {
        private ApiTranslator.Exchange exchange;

        ApiTranslator.Exchange exchange() {
            if (exchange == null) {
                throw new IllegalStateException("the answer was translated before the request transform ran");
            }
            return exchange;
        }
    }

    /** Adapts a {@link StreamTranslator} to the data plane's {@link StreamTransform}. */
    private static final class TranslatingStream implements StreamTransform {
        private final StreamTranslator translator;

        TranslatingStream(StreamTranslator translator) {
            this.translator = translator;
        }

        @Override
        public void onEvent(SseEvent event, EventSink out) throws IOException {
            send(translator.onEvent(event), out);
        }

        @Override
        public void onEnd(EventSink out) throws IOException {
            send(translator.finish(), out);
        }

        private static void send(List<SseEvent> events, EventSink out) throws IOException {
            // the translator's events are already encoded (SseEvent.of), once
            for (SseEvent event : events) {
                out.send(event);
            }
        }
    }
}
