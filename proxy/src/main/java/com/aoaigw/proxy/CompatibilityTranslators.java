package com.aoaigw.proxy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

import com.aoaigw.proxy.api.ProxyException;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.proxy.route.RoutePlan;
import com.aoaigw.proxy.translate.ApiKind;
import com.aoaigw.proxy.translate.CompatibilityTranslator;
import com.aoaigw.proxy.translate.IdSource;
import com.aoaigw.proxy.translate.ModelFamily;
import com.aoaigw.proxy.translate.StreamTranslator;
import com.aoaigw.proxy.translate.TranslationException;
import com.aoaigw.proxy.upstream.EventSink;
import com.aoaigw.proxy.upstream.SseEvent;
import com.aoaigw.proxy.upstream.StreamTransform;
import com.aoaigw.proxy.upstream.TranslationPlan;
import com.aoaigw.proxy.upstream.Translators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Plugs the translate package's {@link CompatibilityTranslator} (normalisation per model family, chat ⇄ responses)
 * into the data plane's {@link Translators} hook. Embeddings and images pass through untouched (no JSON tree).
 * A {@link TranslationException} becomes the proxy's own error with the translator's status, param and code.
 */
public final class CompatibilityTranslators implements Translators {
    private final CompatibilityTranslator translator;
    private final ObjectMapper mapper;

    /** @param mapper the shared mapper */
    public CompatibilityTranslators(ObjectMapper mapper) {
        this.mapper = mapper;
        this.translator = new CompatibilityTranslator(mapper, IdSource.random(), InstantSource.system());
    }

    @Override
    public TranslationPlan plan(RoutePlan route, boolean stream) {
        if (!route.clientRoute().conversational() || !route.backendRoute().conversational()) {
            return TranslationPlan.NONE;
        }
        ApiKind client = kind(route.clientRoute());
        ApiKind backend = kind(route.backendRoute());
        ModelFamily family;
        try {
            family = ModelFamily.of(route.model().family(), route.deployment().deployment());
        } catch (IllegalArgumentException e) {
            family = ModelFamily.of("", route.deployment().deployment());
        }
        ModelFamily fam = family;
        AtomicReference<CompatibilityTranslator.Exchange> exchange = new AtomicReference<>();
        UnaryOperator<ObjectNode> request = body -> {
            try {
                CompatibilityTranslator.Exchange ex = translator.prepare(client, backend, fam,
                        new HashSet<>(route.model().disabledRules()), body);
                exchange.set(ex);
                return ex.upstreamBody();
            } catch (TranslationException e) {
                throw error(e);
            }
        };
        UnaryOperator<byte[]> response = bytes -> {
            CompatibilityTranslator.Exchange ex = exchange.get();
            if (ex == null || !ex.translates()) {
                return bytes;
            }
            try {
                return mapper.writeValueAsBytes(ex.translateBody(mapper.readTree(bytes)));
            } catch (TranslationException e) {
                throw error(e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return new TranslationPlan(Optional.of(request), response, () -> {
            CompatibilityTranslator.Exchange ex = exchange.get();
            Optional<StreamTranslator> st = ex == null ? Optional.empty() : ex.streamTranslator();
            return st.<StreamTransform>map(Adapter::new).orElse(StreamTransform.IDENTITY);
        });
    }

    private static ApiKind kind(RouteKey r) {
        return r == RouteKey.RESPONSES ? ApiKind.RESPONSES : ApiKind.CHAT_COMPLETIONS;
    }

    private static ProxyException error(TranslationException e) {
        if (e.status() >= 500) {
            return new ProxyException.UpstreamFailure(e.status(), e.code(), e.getMessage(), e);
        }
        return new ProxyException.InvalidRequest(e.status(), e.param(), e.code(), e.getMessage());
    }

    /** Feeds whole upstream events to a translate-package stream translator. */
    private record Adapter(StreamTranslator st) implements StreamTransform {
        @Override
        public void onEvent(SseEvent event, EventSink out) throws IOException {
            if (st.done() || event.data() == null) {
                return;
            }
            for (com.aoaigw.proxy.translate.SseEvent e : st.onEvent(event.event(), event.data())) {
                out.send(new SseEvent(e.bytes()));
            }
        }

        @Override
        public void onEnd(EventSink out) throws IOException {
            for (com.aoaigw.proxy.translate.SseEvent e : st.finish()) {
                out.send(new SseEvent(e.bytes()));
            }
        }
    }
}
