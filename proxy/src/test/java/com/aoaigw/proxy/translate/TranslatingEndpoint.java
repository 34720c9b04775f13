package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A test endpoint that puts the translators between an SDK and a recorded upstream: {@code /v1/chat/completions}
 * is served by a responses "backend" and {@code /v1/responses} by a chat one. The upstream answers are the inputs of
 * the golden files, chosen by the request's {@code model} ({@code text}, {@code tools}, {@code error}). It lets the
 * official SDKs judge the translated bodies and streams before (and independently of) the data plane.
 */
final class TranslatingEndpoint implements AutoCloseable {
    private static final Map<String, String> SCENARIOS = Map.ofEntries(
            Map.entry("chat/stream/text", "c2r-stream-text-one-finish.txt"),
            Map.entry("chat/stream/tools", "c2r-stream-reasoning-and-tool-call.txt"),
            Map.entry("chat/stream/error", "c2r-stream-failed.txt"),
            Map.entry("chat/json/text", "c2r-response-reasoning-model.txt"),
            Map.entry("chat/json/tools", "c2r-response-tool-calls.txt"),
            Map.entry("responses/stream/text", "r2c-stream-text.txt"),
            Map.entry("responses/stream/tools", "r2c-stream-tool-calls.txt"),
            Map.entry("responses/stream/error", "r2c-stream-error.txt"),
            Map.entry("responses/json/text", "r2c-response-text.txt"),
            Map.entry("responses/json/tools", "r2c-response-tool-calls.txt"));

    private final ObjectMapper mapper = new ObjectMapper();
    private final ApiTranslator translator = new ApiTranslator(mapper, IdSource.random(),
            InstantSource.system());
    private final List<JsonNode> upstreamBodies = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    TranslatingEndpoint() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/v1/", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The translated bodies that would have gone upstream, in arrival order. */
    List<JsonNode> upstreamBodies() {
        return upstreamBodies;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            ApiKind client = ApiKind.fromRouteKey(path);
            ApiKind backend = client == ApiKind.CHAT_COMPLETIONS ? ApiKind.RESPONSES : ApiKind.CHAT_COMPLETIONS;
            ObjectNode body = (ObjectNode) mapper.readTree(exchange.getRequestBody().readAllBytes());
            boolean stream = body.path("stream").asBoolean(false);
            ApiTranslator.Exchange prepared;
            try {
                prepared = translator.prepare(client, backend, ModelFamily.GPT_5, Set.of(), body);
            } catch (TranslationException e) {
                json(exchange, e.status(), e.toErrorBody());
                return;
            }
            upstreamBodies.add(prepared.upstreamBody());
            String key = (client == ApiKind.CHAT_COMPLETIONS ? "chat" : "responses") + (stream ? "/stream/" : "/json/")
                    + body.path("model").asText();
            GoldenFile recorded = GoldenFile.load(SCENARIOS.get(key));
            if (!stream) {
                try {
                    json(exchange, 200, prepared.translateBody(mapper.readTree(recorded.input())));
                } catch (TranslationException e) {
                    json(exchange, e.status(), e.toErrorBody());
                }
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.sendResponseHeaders(200, 0);
            StreamTranslator streamTranslator = prepared.streamTranslator().orElseThrow();
            OutputStream out = exchange.getResponseBody();
            for (SseEvent upstream : GoldenFile.parseSse(recorded.input())) {
                write(out, streamTranslator.onEvent(upstream));
            }
            write(out, streamTranslator.finish());
        }
    }

    private static void write(OutputStream out, List<SseEvent> events) throws IOException {
        for (SseEvent event : events) {
            out.write(event.raw());
            out.flush();
        }
    }

    private void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
