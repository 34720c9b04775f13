package com.aoaigw.sim;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The simulator's own API under {@code /_sim} (no auth): recorded requests, counters, token revocation and run-time
 * settings.
 */
final class ControlService implements HttpService {
    private final AtomicReference<SimSettings> settings;
    private final RequestRecorder recorder;
    private final TokenIssuer tokens;
    private final RequestOptions.FaultCounts faultCounts;
    private final CapacityMeter capacity;
    private final RenderCache cache;
    private final ObjectMapper mapper;

    ControlService(AtomicReference<SimSettings> settings, RequestRecorder recorder, TokenIssuer tokens,
                   RequestOptions.FaultCounts faultCounts, CapacityMeter capacity, RenderCache cache,
                   ObjectMapper mapper) {
        this.capacity = capacity;
        this.settings = settings;
        this.recorder = recorder;
        this.tokens = tokens;
        this.faultCounts = faultCounts;
        this.cache = cache;
        this.mapper = mapper;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/requests", (req, res) -> json(res, Status.OK_200, recorder.requests()))
                .delete("/requests", (req, res) -> {
                    recorder.clear();
                    faultCounts.clear();
                    capacity.clear();
                    res.status(Status.NO_CONTENT_204).send();
                })
                .get("/token-requests", (req, res) -> json(res, Status.OK_200, recorder.tokenRequests()))
                .get("/stats", (req, res) -> json(res, Status.OK_200, recorder.stats()))
                .post("/revoke-tokens", (req, res) -> {
                    tokens.revokeAll();
                    res.status(Status.NO_CONTENT_204).send();
                })
                .get("/config", (req, res) -> json(res, Status.OK_200, describe(settings.get())))
                .post("/config", this::config)
                .get("/image.png", (req, res) -> {
                    res.header(HeaderNames.CONTENT_TYPE, "image/png");
                    res.send(ImagesRenderer.png());
                });
    }

    private void config(ServerRequest req, ServerResponse res) {
        try {
            JsonNode body = mapper.readTree(req.content().as(byte[].class));
            SimSettings updated = apply(settings.get(), body);
            settings.set(updated);
            cache.clear();
            // A new fault plan starts counting afresh (faultCount of a deployment, x-sim-fault-count keys).
            faultCounts.clear();
            capacity.clear();
            json(res, Status.OK_200, describe(updated));
        } catch (IOException | IllegalArgumentException e) {
            ObjectNode err = mapper.createObjectNode();
            ObjectNode e2 = err.putObject("error");
            e2.put("code", "BadRequest");
            e2.put("message", "invalid /_sim/config body: " + e.getMessage());
            json(res, Status.BAD_REQUEST_400, err);
        }
    }

    /**
     * Applies a run-time change. Fields: {@code defaultDeployment} and {@code deployments.<name>} (each with
     * {@code reasoning}, {@code ttftMs}, {@code tokensPerSecond}, {@code fault}, {@code faultCount}, {@code tokens},
     * {@code capacity} ({@code rpm}, {@code tpm}, {@code ptu});
     * missing fields keep their value),
     * {@code strictDeployments}, {@code apiKeys}, {@code tokenLifetimeSeconds}. Unknown fields are errors.
     */
    static SimSettings apply(SimSettings current, JsonNode body) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        SimSettings.Builder b = current.toBuilder();
        for (Map.Entry<String, JsonNode> f : body.properties()) {
            JsonNode v = f.getValue();
            switch (f.getKey()) {
                case "defaultDeployment" -> b.defaultDeployment(deployment(current.defaultDeployment(), v,
                        "defaultDeployment"));
                case "deployments" -> {
                    for (Map.Entry<String, JsonNode> d : v.properties()) {
                        DeploymentSettings base = current.deployments().getOrDefault(d.getKey(),
                                current.defaultDeployment());
                        b.deployment(d.getKey(), deployment(base, d.getValue(), "deployments." + d.getKey()));
                    }
                }
                case "strictDeployments" -> b.strictDeployments(v.asBoolean());
                case "apiKeys" -> {
                    List<String> keys = new ArrayList<>();
                    v.forEach(k -> keys.add(k.asText()));
                    b.apiKeys(keys);
                }
                case "tokenLifetimeSeconds" -> b.tokenLifetimeSeconds(v.asLong());
                default -> throw new IllegalArgumentException("unknown field '" + f.getKey() + "'");
            }
        }
        // toBuilder() carries strictDeployments explicitly, so listing a deployment here keeps unknown names working.
        return b.build();
    }

    private static DeploymentSettings deployment(DeploymentSettings base, JsonNode v, String path) {
        DeploymentSettings d = base;
        for (Map.Entry<String, JsonNode> f : v.properties()) {
            JsonNode x = f.getValue();
            d = switch (f.getKey()) {
                case "reasoning" -> d.withReasoning(x.isNull() ? null : x.asBoolean());
                case "ttftMs" -> d.withTtftMs(x.asLong());
                case "tokensPerSecond" -> d.withTokensPerSecond(x.asDouble());
                case "fault" -> d.withFault(Fault.fromWireName(x.asText()).orElseThrow(() ->
                        new IllegalArgumentException(path + ".fault: unknown fault '" + x.asText() + "'")));
                case "faultCount" -> d.withFaultCount(x.asInt());
                case "tokens" -> d.withTokens(x.isNull() ? null : x.asInt());
                case "capacity" -> d.withCapacity(x.isNull() ? null : capacity(x, path + ".capacity"));
                default -> throw new IllegalArgumentException("unknown field '" + path + "." + f.getKey() + "'");
            };
        }
        return d;
    }

    private static Capacity capacity(JsonNode v, String path) {
        int rpm = 0;
        int tpm = 0;
        boolean ptu = false;
        for (Map.Entry<String, JsonNode> f : v.properties()) {
            switch (f.getKey()) {
                case "rpm" -> rpm = f.getValue().asInt();
                case "tpm" -> tpm = f.getValue().asInt();
                case "ptu" -> ptu = f.getValue().asBoolean();
                default -> throw new IllegalArgumentException("unknown field '" + path + "." + f.getKey() + "'");
            }
        }
        return new Capacity(rpm, tpm, ptu);
    }

    private ObjectNode describe(SimSettings s) {
        ObjectNode r = mapper.createObjectNode();
        r.set("defaultDeployment", mapper.valueToTree(s.defaultDeployment()));
        r.set("deployments", mapper.valueToTree(s.deployments()));
        r.put("strictDeployments", s.strictDeployments());
        r.put("zeroLatency", s.zeroLatency());
        r.put("tokenLifetimeSeconds", s.tokenLifetimeSeconds());
        return r;
    }

    private void json(ServerResponse res, Status status, Object body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + body.getClass().getSimpleName(), e);
        }
    }
}
