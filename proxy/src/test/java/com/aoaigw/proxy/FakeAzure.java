package com.aoaigw.proxy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.WebServer;

/**
 * A hand-written fake upstream for fast tests of the pipeline (the simulator covers the real behaviour in the
 * integration tests). Records each request's path, headers and body.
 */
final class FakeAzure implements AutoCloseable {
    record Seen(String path, String query, Map<String, String> headers, String body) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final WebServer server;

    FakeAzure() {
        server = WebServer.builder().host("127.0.0.1").port(0).routing(r -> r.post("/*", (req, res) -> {
            String body = new String(req.content().inputStream().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> h = new java.util.TreeMap<>();
            req.headers().forEach(x -> h.put(x.headerName().lowerCase(), x.get()));
            seen.add(new Seen(req.path().path(), req.query().rawValue(), h, body));
            res.header(HeaderNames.create("x-ratelimit-remaining-requests"), "99");
            res.header(HeaderNames.create("apim-request-id"), "apim-1");
            res.header(HeaderNames.create("x-internal-secret"), "nope");
            if (body.contains("\"stream\":true")) {
                res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
                try (OutputStream os = res.outputStream()) {
                    os.write("data: {\"choices\":[{\"delta\":{\"content\":\"Hé\"}}],\"usage\":null}\n\n".getBytes(StandardCharsets.UTF_8));
                    os.flush();
                    os.write("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}\n\n".getBytes(StandardCharsets.UTF_8));
                    os.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send("{\"id\":\"x\",\"choices\":[{\"message\":{\"content\":\"ok\"}}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2}}");
        })).build().start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    @Override
    public void close() {
        server.stop();
    }
}
