package com.aoaigw.sim;

import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The simulated Azure OpenAI data plane: v1 and classic (deployment-scoped) paths for chat, responses, embeddings,
 * images and models, with auth, latency and fault injection.
 */
final class DataPlaneService implements HttpService {
    private static final System.Logger LOG = System.getLogger(DataPlaneService.class.getName());
    static final HeaderName API_KEY = HeaderNames.create("api-key");
    static final HeaderName APIM_REQUEST_ID = HeaderNames.create("apim-request-id");
    static final HeaderName X_REQUEST_ID = HeaderNames.create("x-request-id");
    static final HeaderName X_MS_REGION = HeaderNames.create("x-ms-region");
    static final HeaderName REMAINING_REQUESTS = HeaderNames.create("x-ratelimit-remaining-requests");
    static final HeaderName REMAINING_TOKENS = HeaderNames.create("x-ratelimit-remaining-tokens");
    static final HeaderName LIMIT_REQUESTS = HeaderNames.create("x-ratelimit-limit-requests");
    static final HeaderName LIMIT_TOKENS = HeaderNames.create("x-ratelimit-limit-tokens");
    static final HeaderName UTILIZATION = HeaderNames.create("azure-openai-deployment-utilization");
    static final String REGION = "sim-region";
    private static final String KEY_DENIED = "Access denied due to invalid subscription key or wrong API endpoint. "
            + "Make sure to provide a valid key for an active subscription and use a correct regional API endpoint "
            + "for your resource.";
    private static final String TOKEN_DENIED = "Unauthorized. Access token is missing, invalid, audience is "
            + "incorrect (https://cognitiveservices.azure.com), or have expired.";

    /** The operations the data plane serves. */
    enum Operation { CHAT, RESPONSES, EMBEDDINGS, IMAGES }

    private final Supplier<SimSettings> settings;
    private final RequestRecorder recorder;
    private final TokenIssuer tokens;
    private final RequestOptions.FaultCounts faultCounts;
    private final CapacityMeter capacity;
    private final ObjectMapper mapper;
    private final ChatRenderer chat;
    private final ResponsesRenderer responses;
    private final EmbeddingsRenderer embeddings;
    private final ImagesRenderer images;
    private final SseWriter sse;
    private final RenderCache cache;
    private final AtomicLong ids = new AtomicLong();
    private final String idPrefix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);

    DataPlaneService(Supplier<SimSettings> settings, RequestRecorder recorder, TokenIssuer tokens,
                     RequestOptions.FaultCounts faultCounts, CapacityMeter capacity, ObjectMapper mapper,
                     RenderCache cache) {
        this.capacity = capacity;
        this.settings = settings;
        this.recorder = recorder;
        this.tokens = tokens;
        this.faultCounts = faultCounts;
        this.mapper = mapper;
        this.chat = new ChatRenderer(mapper);
        this.responses = new ResponsesRenderer(mapper);
        this.embeddings = new EmbeddingsRenderer(mapper);
        this.images = new ImagesRenderer(mapper);
        this.sse = new SseWriter(recorder);
        this.cache = cache;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/v1/chat/completions", (req, res) -> handle(req, res, Operation.CHAT, null, false))
                .post("/v1/responses", (req, res) -> handle(req, res, Operation.RESPONSES, null, false))
                .post("/v1/embeddings", (req, res) -> handle(req, res, Operation.EMBEDDINGS, null, false))
                .post("/v1/images/generations", (req, res) -> handle(req, res, Operation.IMAGES, null, false))
                .get("/v1/models", (req, res) -> models(req, res, false))
                .post("/responses", (req, res) -> handle(req, res, Operation.RESPONSES, null, true))
                .post("/deployments/{deployment}/chat/completions", (req, res) -> handle(req, res, Operation.CHAT,
                        req.path().pathParameters().get("deployment"), true))
                .post("/deployments/{deployment}/embeddings", (req, res) -> handle(req, res, Operation.EMBEDDINGS,
                        req.path().pathParameters().get("deployment"), true))
                .post("/deployments/{deployment}/images/generations", (req, res) -> handle(req, res,
                        Operation.IMAGES, req.path().pathParameters().get("deployment"), true))
                .get("/models", (req, res) -> models(req, res, true))
                .any((req, res) -> {
                    byte[] body = readBody(req);
                    recorder.dataPlane(RequestRecorder.capture(req, body));
                    commonHeaders(req, res);
                    error(res, Status.NOT_FOUND_404, "404", "Resource not found");
                });
    }

    private void handle(ServerRequest req, ServerResponse res, Operation op, String pathDeployment,
                        boolean classic) {
        byte[] body = readBody(req);
        recorder.dataPlane(RequestRecorder.capture(req, body));
        commonHeaders(req, res);
        SimSettings s = settings.get();
        if (!authorize(req, res, s)) {
            return;
        }
        if (classic && req.query().first("api-version").orElse("").isBlank()) {
            error(res, Status.BAD_REQUEST_400, "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }
        JsonNode json;
        try {
            json = body.length == 0 ? mapper.createObjectNode() : mapper.readTree(body);
        } catch (java.io.IOException e) {
            error(res, Status.BAD_REQUEST_400, "BadRequest", "The request body is not valid JSON.");
            return;
        }
        if (!json.isObject()) {
            error(res, Status.BAD_REQUEST_400, "BadRequest", "The request body must be a JSON object.");
            return;
        }
        String deployment = pathDeployment != null ? pathDeployment : json.path("model").asText("");
        if (deployment.isEmpty()) {
            error(res, Status.BAD_REQUEST_400, "BadRequest", "The 'model' field is required.");
            return;
        }
        DeploymentSettings ds = s.deployment(deployment);
        if (ds == null) {
            error(res, Status.NOT_FOUND_404, "DeploymentNotFound", "The API deployment for this resource does not "
                    + "exist. If you created the deployment within the last 5 minutes, please wait a moment and try "
                    + "again.");
            return;
        }
        RequestOptions o;
        try {
            o = RequestOptions.resolve(req.headers(), deployment, ds, faultCounts);
        } catch (IllegalArgumentException e) {
            error(res, Status.BAD_REQUEST_400, "BadRequest", e.getMessage());
            return;
        }
        CapacityMeter.Decision quota = null;
        if (ds.capacity() != null) {
            quota = capacity.admit(deployment, ds.capacity(), estimatedTokens(json, body.length),
                    System.currentTimeMillis());
            quotaHeaders(res, ds.capacity(), quota);
            if (!quota.admitted()) {
                rateLimited(res, op, quota.retryAfterMs());
                return;
            }
        }
        if (injectEarlyFault(res, o, op)) {
            return;
        }
        boolean stream = json.path("stream").asBoolean(false) && (op == Operation.CHAT || op == Operation.RESPONSES);
        if (op == Operation.CHAT && !stream && json.has("stream_options") && !json.path("stream_options").isNull()) {
            error(res, Status.BAD_REQUEST_400, "BadRequest",
                    "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            return;
        }
        if (quota == null) {
            // Azure reports the remaining quota on successful answers too.
            res.header(REMAINING_REQUESTS, "59");
            res.header(REMAINING_TOKENS, "59000");
            res.header(LIMIT_REQUESTS, "60");
            res.header(LIMIT_TOKENS, "60000");
        }
        boolean cacheable = s.zeroLatency() && !RequestOptions.hasSimHeaders(req.headers());
        String cacheKey = cacheable ? op + "\n" + deployment + "\n" + new String(body, StandardCharsets.UTF_8) : null;
        Rendered rendered = cacheable ? cache.get(cacheKey) : null;
        if (rendered == null) {
            rendered = render(op, json, deployment, ds, o, stream, "http://" + req.authority());
            if (cacheable) {
                cache.put(cacheKey, rendered);
            }
        }
        switch (rendered) {
            case Rendered.Events(List<SseEvent> events) -> sse.write(res, events, o,
                    s.zeroLatency() && o.fault() == Fault.NONE && o.intervalNanos() == 0 && o.ttftMs() == 0);
            case Rendered.Json(byte[] bytes, int deltas) -> {
                Pause.millis(o.ttftMs());
                Pause.nanos(o.intervalNanos() * deltas);
                sendJson(res, Status.OK_200, bytes);
            }
        }
    }

    /** A rendered answer, kept in the zero-latency cache. */
    sealed interface Rendered {
        /** A stream. @param events the events */
        record Events(List<SseEvent> events) implements Rendered { }

        /** A JSON answer. @param bytes the body @param deltas content deltas, for the generation delay */
        record Json(byte[] bytes, int deltas) implements Rendered { }
    }

    private Rendered render(Operation op, JsonNode json, String deployment, DeploymentSettings ds,
                            RequestOptions o, boolean stream, String origin) {
        long created = System.currentTimeMillis() / 1000;
        boolean multibyte = o.fault() == Fault.SPLIT_UTF8;
        return switch (op) {
            case CHAT -> {
                Completion c = CompletionPlanner.plan(PromptParser.fromChat(json, deployment),
                        ds.reasoningFor(deployment), o.tokens(), multibyte);
                String id = "chatcmpl-" + nextId();
                yield stream
                        ? new Rendered.Events(chat.stream(c, id, created,
                                json.path("stream_options").path("include_usage").asBoolean(false)))
                        : new Rendered.Json(chat.json(c, id, created), c.deltas().size());
            }
            case RESPONSES -> {
                Completion c = CompletionPlanner.plan(PromptParser.fromResponses(json, deployment),
                        ds.reasoningFor(deployment), o.tokens(), multibyte);
                String id = nextId();
                yield stream
                        ? new Rendered.Events(responses.stream(c, id, created, json))
                        : new Rendered.Json(responses.json(c, id, created, json), c.deltas().size());
            }
            case EMBEDDINGS -> new Rendered.Json(embeddings.embeddings(json, deployment), 0);
            case IMAGES -> new Rendered.Json(images.images(json, created, origin), 0);
        };
    }

    private String nextId() {
        return idPrefix + Long.toString(ids.incrementAndGet(), 36);
    }

    /** Faults that replace the whole answer. @return true when the answer was sent (or the connection dropped) */
    private boolean injectEarlyFault(ServerResponse res, RequestOptions o, Operation op) {
        switch (o.fault()) {
            case NONE, STALL_BEFORE_FIRST_EVENT, STALL_MID_STREAM, LINGER_AFTER_LAST_EVENT, RESET_MID_STREAM, SPLIT_UTF8 -> {
                return false;
            }
            case SLOW_HEADERS -> {
                Pause.millis(o.delayMs());
                return false;
            }
            case DISCONNECT_BEFORE_HEADERS -> throw new CloseConnectionException("simulated disconnect-before-headers");
            case RATE_LIMIT -> {
                res.header(REMAINING_REQUESTS, "0");
                res.header(REMAINING_TOKENS, "0");
                res.header(LIMIT_REQUESTS, "60");
                res.header(LIMIT_TOKENS, "60000");
                rateLimited(res, op, o.retryAfterMs());
                return true;
            }
            case SERVER_ERROR -> {
                error(res, Status.INTERNAL_SERVER_ERROR_500, "InternalServerError",
                        "The server had an error while processing your request. Sorry about that!");
                return true;
            }
            case UNAVAILABLE -> {
                error(res, Status.SERVICE_UNAVAILABLE_503, "ServiceUnavailable",
                        "The service is temporarily unable to process your request. Please try again later.");
                return true;
            }
            case CONTENT_FILTER -> {
                sendJson(res, Status.BAD_REQUEST_400, bytes(ContentFilter.blockedPromptError(mapper)));
                return true;
            }
        }
        return false;
    }

    /** Azure's 429: retry-after in whole seconds and in ms, the reset headers, and its error text. */
    private void rateLimited(ServerResponse res, Operation op, long ms) {
        res.header(HeaderNames.create("retry-after"), Long.toString(Math.max(1, (ms + 999) / 1000)));
        res.header(HeaderNames.create("retry-after-ms"), Long.toString(ms));
        res.header(HeaderNames.create("x-ratelimit-reset-requests"), ms + "ms");
        res.header(HeaderNames.create("x-ratelimit-reset-tokens"), ms + "ms");
        String operation = switch (op) {
            case CHAT -> "ChatCompletions_Create";
            case RESPONSES -> "Responses_Create";
            case EMBEDDINGS -> "Embeddings_Create";
            case IMAGES -> "ImageGenerations_Create";
        };
        error(res, Status.TOO_MANY_REQUESTS_429, "429", "Requests to the " + operation + " Operation under "
                + "Azure OpenAI API version v1 have exceeded token rate limit of your current OpenAI S0 "
                + "pricing tier. Please retry after " + Math.max(1, (ms + 999) / 1000) + " seconds.");
    }

    /** The quota headers of a deployment with a capacity: what is left, the limits, and PTU utilisation. */
    private static void quotaHeaders(ServerResponse res, Capacity c, CapacityMeter.Decision d) {
        if (c.rpm() > 0) {
            res.header(LIMIT_REQUESTS, Integer.toString(c.rpm()));
            res.header(REMAINING_REQUESTS, Long.toString(d.remainingRequests()));
        }
        if (c.tpm() > 0) {
            res.header(LIMIT_TOKENS, Integer.toString(c.tpm()));
            res.header(REMAINING_TOKENS, Long.toString(d.remainingTokens()));
        }
        if (c.ptu()) {
            res.header(UTILIZATION, String.format(java.util.Locale.ROOT, "%.1f%%", d.utilisation()));
        }
    }

    /** Azure's estimate at admission: prompt bytes / 4 plus the completion budget the request asks for. */
    static long estimatedTokens(JsonNode json, int bodyBytes) {
        long budget = 0;
        for (String f : new String[] {"max_tokens", "max_completion_tokens", "max_output_tokens"}) {
            if (json.path(f).canConvertToLong()) {
                budget = Math.max(budget, json.path(f).asLong());
            }
        }
        return (bodyBytes + 3) / 4 + budget;
    }

    private void models(ServerRequest req, ServerResponse res, boolean classic) {
        recorder.dataPlane(RequestRecorder.capture(req, new byte[0]));
        commonHeaders(req, res);
        SimSettings s = settings.get();
        if (!authorize(req, res, s)) {
            return;
        }
        if (classic && req.query().first("api-version").orElse("").isBlank()) {
            error(res, Status.BAD_REQUEST_400, "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        var data = root.putArray("data");
        List<String> names = s.deployments().isEmpty() ? FoundrySim.DEFAULT_MODELS : List.copyOf(s.deployments().keySet());
        for (String name : names) {
            ObjectNode m = data.addObject();
            m.put("id", name);
            m.put("object", "model");
            m.put("created", 1_700_000_000L);
            m.put("owned_by", "system");
        }
        sendJson(res, Status.OK_200, bytes(root));
    }

    private boolean authorize(ServerRequest req, ServerResponse res, SimSettings s) {
        var key = req.headers().first(API_KEY);
        if (key.isPresent()) {
            if (s.apiKeys().contains(key.get().trim())) {
                return true;
            }
            error(res, Status.UNAUTHORIZED_401, "401", KEY_DENIED);
            return false;
        }
        var auth = req.headers().first(HeaderNames.AUTHORIZATION);
        if (auth.isPresent() && auth.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
            String value = auth.get().substring(7).trim();
            if (s.apiKeys().contains(value) || tokens.valid(value)) {
                return true;
            }
            error(res, Status.UNAUTHORIZED_401, "401", TOKEN_DENIED);
            return false;
        }
        error(res, Status.UNAUTHORIZED_401, "401", KEY_DENIED);
        return false;
    }

    private void commonHeaders(ServerRequest req, ServerResponse res) {
        String apim = UUID.randomUUID().toString();
        res.header(APIM_REQUEST_ID, apim);
        res.header(X_REQUEST_ID, req.headers().first(X_REQUEST_ID).orElse(apim));
        res.header(X_MS_REGION, REGION);
    }

    private void error(ServerResponse res, Status status, String code, String message) {
        ObjectNode root = mapper.createObjectNode();
        ObjectNode e = root.putObject("error");
        e.put("code", code);
        e.put("message", message);
        sendJson(res, status, bytes(root));
    }

    private void sendJson(ServerResponse res, Status status, byte[] body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        try {
            res.send(body);
        } catch (UncheckedIOException | ServerConnectionException e) {
            recorder.clientDisconnected();
            LOG.log(Level.DEBUG, "client went away before the answer was sent", e);
            throw new CloseConnectionException("client went away", e);
        }
    }

    private static byte[] readBody(ServerRequest req) {
        return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
    }

    private byte[] bytes(Object node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }
}
