package com.aoaigw.proxy.api;

import java.io.IOException;

import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /healthz}, without auth: 200 {@code {"status":"ok",...}} when a valid config is in service, 503
 * {@code {"status":"unavailable","reason":...}} otherwise. It never calls Azure.
 */
public final class HealthService implements HttpService {
    private final ConfigHolder config;
    private final ObjectMapper mapper;

    /**
     * @param config snapshot holder
     * @param mapper mapper
     */
    public HealthService(ConfigHolder config, ObjectMapper mapper) {
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/healthz", this::health);
        rules.get("/favicon.ico", (req, res) -> res.status(204).send());
    }

    private void health(ServerRequest req, ServerResponse res) throws IOException {
        ConfigSnapshot snap = config.current();
        ObjectNode n = mapper.createObjectNode();
        if (snap == null) {
            n.put("status", "unavailable");
            n.put("reason", config.problem());
            res.status(503);
        } else {
            n.put("status", "ok");
            n.put("configLoadedAt", snap.loadedAt().toString());
            n.put("models", snap.config().models().size());
            n.put("upstreams", snap.config().upstreams().size());
            if (config.problem() != null) {
                n.put("lastReloadProblem", config.problem());
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(mapper.writeValueAsBytes(n));
    }
}
