package com.aoaigw.proxy.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.ImageCompression;
import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.limit.CompletionSeen;
import com.aoaigw.proxy.limit.LimitExceededException;
import com.aoaigw.proxy.limit.Limiter;
import com.aoaigw.proxy.limit.Limits;
import com.aoaigw.proxy.limit.RateHeaders;
import com.aoaigw.proxy.limit.Refusal;
import com.aoaigw.proxy.route.ModelFamily;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.proxy.observe.GenAiReader;
import com.aoaigw.proxy.observe.Telemetry;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.proxy.route.RoutePlan;
import com.aoaigw.proxy.translate.InlineImageCompressor;
import com.aoaigw.proxy.translate.TranslationException;
import com.aoaigw.proxy.translate.TranslationPlan;
import com.aoaigw.proxy.translate.TranslationSelector;
import com.aoaigw.proxy.upstream.FailoverLoop;
import com.aoaigw.proxy.upstream.HeaderPolicy;
import com.aoaigw.proxy.upstream.UpstreamClient;
import com.aoaigw.proxy.upstream.UpstreamResponse;
import com.aoaigw.proxy.upstream.Watchdog;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.RequestException;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The request pipeline of the forwarded operations: read the body (capped), find model and stream, route, plan
 * translations, build the upstream body, call the upstream (with retries and phase timeouts), hand the answer to
 * {@link ResponseRelay} (non-stream: whole body; stream: event by event with a flush each), and note what happened
 * in the {@link ExchangeLog}.
 */
public final class Forwarder {
    private static final System.Logger LOG = System.getLogger(Forwarder.class.getName());
    /** Names the model and deployment that answered. */
    static final io.helidon.http.HeaderName SERVED_BY = HeaderNames.create("x-aoaigw-served-by");
    /** Largest entity whose announced length is reserved before its bytes arrive. */
    static final int PREALLOCATE_MAX = 1 << 20;
    /** After a 413, at most this much of the rest of the upload is read and thrown away before the close. */
    static final long DRAIN_MAX_BYTES = 4L << 20;
    /** ... and for at most this long (checked between reads; one read is bounded by the server's read timeout). */
    static final long DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ObjectMapper mapper;
    private final ErrorRenderer errors;
    private final ResponseRelay relay;
    private final ModelRouter router;
    private final TranslationSelector translation;
    private final FailoverLoop failover;
    private final Watchdog watchdog;
    private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
    private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");
    private static final java.util.Set<String> TRACE_HEADERS = java.util.Set.of("traceparent", "tracestate");
    /** {@link RateHeaders#NAMES}, made once. */
    private static final HeaderName[] RATE_HEADERS = RateHeaders.NAMES.stream().map(HeaderNames::create)
            .toArray(HeaderName[]::new);
    private final HeaderPolicy headers;
    private final long bodyLimit;
    private final ClientLiveness clients = new ClientLiveness();
    private final InlineImageCompressor images;
    private final Limits limits;

    /**
     * @param mapper         the shared Jackson mapper
     * @param errors         the error renderer (errors inside a started stream)
     * @param router         the model router
     * @param translation    the translation selector (which translation applies to a routed request)
     * @param failover       the attempts of one request across its deployment pool and fallbacks
     * @param watchdog       phase timeouts
     * @param forwardHeaders client header names (or {@code prefix*}) forwarded upstream
     * @param bodyLimit      largest request body, in bytes
     * @param limits         the limits, quotas and budgets
     */
    public Forwarder(ObjectMapper mapper, ErrorRenderer errors, ModelRouter router,
                     TranslationSelector translation, FailoverLoop failover, Watchdog watchdog, List<String> forwardHeaders,
                     long bodyLimit, Limits limits) {
        this.mapper = mapper;
        this.errors = errors;
        this.relay = new ResponseRelay(mapper, errors);
        this.router = router;
        this.translation = translation;
        this.failover = failover;
        this.watchdog = watchdog;
        this.headers = new HeaderPolicy(forwardHeaders);
        this.bodyLimit = bodyLimit;
        this.images = new InlineImageCompressor(mapper);
        this.limits = limits;
    }

    /**
     * Handles one forwarded request.
     *
     * @param req       the request
     * @param res       the response
     * @param route     the client's operation
     * @param pathModel the model from a classic path ({@code /openai/deployments/{model}/...}), or null
     */
    public void forward(ServerRequest req, ServerResponse res, RouteKey route, String pathModel) {
        ExchangeLog log = req.context().get(ExchangeLog.class).orElseThrow();
        log.route(route.key());
        ConfigSnapshot snap = ClientAuthFilter.snapshot(req);
        GatewayConfig config = snap.config();
        UpstreamSettings us = config.server().upstream();
        requireJson(req);
        RequestBody body = RequestBody.scan(readBody(req, res, log), mapper.getFactory());
        if (log.traced()) {
            // traced: the GenAI span attributes need the output limit now and the answer's model and finish later
            GenAiReader genAi = new GenAiReader(mapper);
            genAi.request(body.body());
            log.genAiReader(genAi);
        }
        log.stream(body.stream());
        String model = pathModel != null ? pathModel : body.model();
        if (model == null || model.isBlank()) {
            throw new ProxyException.InvalidRequest("model", "missing_model",
                    "You must provide a model parameter (a string).");
        }
        // only configured ids are recorded: a client's arbitrary strings must not become labels or table keys
        log.model(config.model(model).isPresent() ? model : ExchangeLog.UNKNOWN_MODEL);
        ClientIdentity who = req.context().get(ClientIdentity.class).orElseThrow(ProxyException.Unauthorized::new);
        if (!who.allows(model)) {
            throw new ProxyException.Forbidden("model", "model_not_allowed",
                    "This API key is not allowed to use the model `" + model + "`.");
        }
        long routeStart = System.nanoTime();
        RoutePlan plan = router.route(config, route, model);
        if (log.traced()) {
            log.phase(new ExchangeLog.Phase("route", routeStart, System.nanoTime(), false, false, Map.of(
                    "aoaigw.deployment", plan.deployment().deployment(), "aoaigw.upstream", plan.upstream().name())));
        }
        log.deployment(plan.deployment().deployment());
        log.upstream(plan.upstream().name());
        ModelFamily family = plan.family();
        Limiter limiter = limits.limiter();
        Limiter.Ticket ticket = admit(limiter, who, plan, body, family, us, config, log);
        boolean keyLimited = who.limits() != null;
        if (keyLimited) {
            ticket.headers().forEach((v, i) -> res.header(RATE_HEADERS[i], v));
        }
        CompletionSeen seen = new CompletionSeen(!ticket.checks().isEmpty());
        seen.onSettle(() -> charge(limiter, ticket, plan, family, seen, log));
        List<ModelRoute> models = candidates(config, plan.model(), who);
        try {
            exchange(req, res, body, route, models, us, config, log, seen, keyLimited);
        } finally {
            seen.settle(); // unless the relay charged before the answer's last bytes
        }
    }

    /**
     * Admits the request against its key's and model's limits (nothing is sent to Azure when it is refused).
     */
    private Limiter.Ticket admit(Limiter limiter, ClientIdentity who, RoutePlan plan, RequestBody body,
                                 ModelFamily family, UpstreamSettings us, GatewayConfig config, ExchangeLog log) {
        long estimate = 0;
        if (Limiter.needsEstimate(who.limits(), plan.model())) {
            try {
                estimate = limits.estimator().estimate(mapper.getFactory(), body.body(), family);
            } catch (IOException e) {
                throw new ProxyException.InvalidRequest(null, "invalid_json", "The request body is not valid JSON.");
            }
        }
        try {
            // a slot is held at most as long as the request may run, plus a minute
            return limiter.admit(who.keyId(), who.limits(), plan.model(), estimate, log.requestId(),
                    us.requestTimeoutMs() + 60_000, currency(config));
        } catch (LimitExceededException e) {
            Refusal r = e.refusal();
            log.limited(r.limit());
            java.util.Map<String, String> h = new java.util.LinkedHashMap<>(r.headers().asMap());
            if (r.retryMs() > 0) {
                h.put("retry-after", Long.toString((r.retryMs() + 999) / 1000));
                h.put("retry-after-ms", Long.toString(r.retryMs()));
            }
            throw new ProxyException.Limited(r.status(), r.type(), r.code(), r.message(), h);
        }
    }

    /**
     * Charges what the exchange used: Azure's usage when it came; else, when Azure answered, the prompt estimate plus
     * the completion text relayed so far (a stream cut by the client or a timeout); else nothing.
     */
    private void charge(Limiter limiter, Limiter.Ticket ticket, RoutePlan plan, ModelFamily family, CompletionSeen seen,
                        ExchangeLog log) {
        try {
            var u = log.usage();
            long prompt = u.promptTokens();
            long completion = u.completionTokens();
            if (prompt + completion == 0 && seen.wasAnswered()) {
                prompt = ticket.estimate();
                completion = limits.estimator().count(seen.text(mapper), family);
            }
            limiter.charge(ticket, prompt, u.cachedTokens(), completion, plan.model().pricing());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "charging " + log.requestId() + " failed", e);
        }
    }

    private static String currency(GatewayConfig config) {
        for (var m : config.models()) {
            if (m.pricing() != null) {
                return m.pricing().currency();
            }
        }
        return "USD";
    }

    private void exchange(ServerRequest req, ServerResponse res, RequestBody body, RouteKey route,
                          List<ModelRoute> models, UpstreamSettings us, GatewayConfig config, ExchangeLog log,
                          CompletionSeen seen, boolean ownRateHeaders) {

        List<Header> forwarded = new ArrayList<>(4);
        Telemetry.ServerSpan trace = log.trace();
        for (Header h : req.headers()) {
            String name = h.headerName().lowerCase();
            if (headers.forwards(name) && (trace.traceparent() == null || !TRACE_HEADERS.contains(name))) {
                forwarded.add(h);
            }
        }
        // the trace goes on to Azure: this request's server span (or the client's own context when export is off)
        if (trace.traceparent() != null) {
            forwarded.add(HeaderValues.create(TRACEPARENT, trace.traceparent()));
            if (trace.tracestate() != null) {
                forwarded.add(HeaderValues.create(TRACESTATE, trace.tracestate()));
            }
        }
        boolean stream = body.stream();
        // a translation plan is stateful (its request transform prepares the answer's): the one that built the
        // answering attempt's body must relay the answer
        java.util.Map<RoutePlan, TranslationPlan> prepared = new java.util.IdentityHashMap<>(2);
        FailoverLoop.RequestFactory factory = p -> {
            TranslationPlan tp = translation.plan(p, stream);
            prepared.put(p, tp);
            byte[] upstreamBody = upstreamBody(body, p, tp, injectUsage(body, us, p));
            ImageCompression ic = config.server().imageCompression();
            if (p.model().compressesImages(ic) && p.backendRoute().conversational()) {
                upstreamBody = images.compress(upstreamBody, InlineImageCompressor.Settings.of(ic)).body();
            }
            return new UpstreamClient.Request(p.target(), upstreamBody, stream, log.requestId(),
                    config.effectiveAuth(p.upstream()).resolve(), forwarded);
        };

        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(us.requestTimeoutMs());
        // a client that hangs up while the proxy waits for Azure cancels the upstream call (499 client_disconnected)
        BooleanSupplier clientGone = clients.probe(req.localPeer().address(), req.remotePeer().address());
        try (Watchdog.Watch watch = watchdog.watch(deadline, clientGone)) {
            FailoverLoop.Result result;
            try {
                result = failover.run(config, route, models, stream, factory, watch);
            } catch (FailoverLoop.Failed f) {
                attempts(log, f.attempts());
                if (!f.attempts().isEmpty()) {
                    RoutePlan last = f.attempts().getLast().plan();
                    log.deployment(last.deployment().deployment());
                    log.upstream(last.upstream().name());
                }
                throw f.error();
            }
            attempts(log, result.attempts());
            RoutePlan plan = result.plan();
            log.deployment(plan.deployment().deployment());
            log.upstream(plan.upstream().name());
            servedBy(res, plan);
            TranslationPlan tp = prepared.get(plan);
            // the usage chunk the client did not ask for is dropped, unless a translator needs it
            boolean dropUsageChunk = injectUsage(body, us, plan) && !plan.translated();
            try (UpstreamResponse up = result.answer().response()) {
                int status = up.status();
                if (result.framer() != null) {
                    relay.relayStream(res, up, result.framer(), result.first(), plan, tp, dropUsageChunk, watch, us, log,
                            seen, ownRateHeaders);
                } else {
                    relay.relayWhole(res, up, status, plan, tp, watch, us, log, seen, ownRateHeaders);
                }
            }
        }
    }

    /** The requested model, then each of its fallbacks that exists and that the client's key may use. */
    private static List<ModelRoute> candidates(GatewayConfig config, ModelRoute model, ClientIdentity who) {
        if (model.fallbacks().isEmpty()) {
            return List.of(model);
        }
        List<ModelRoute> out = new ArrayList<>(1 + model.fallbacks().size());
        out.add(model);
        for (String id : model.fallbacks()) {
            if (who.allows(id)) {
                config.model(id).filter(m -> !m.effectiveDeployments().isEmpty()).ifPresent(out::add);
            }
        }
        return out;
    }

    private static boolean injectUsage(RequestBody body, UpstreamSettings us, RoutePlan plan) {
        return body.stream() && us.streamUsage() && !body.includeUsage() && plan.backendRoute() == RouteKey.CHAT;
    }

    private static void attempts(ExchangeLog log, List<FailoverLoop.Attempt> attempts) {
        for (FailoverLoop.Attempt a : attempts) {
            RoutePlan p = a.plan();
            log.attempt(new ExchangeLog.Attempt(p.model().id(), p.upstream().name(), p.deployment().deployment(),
                    a.status(), a.error(), a.ms()));
            if (log.traced()) {
                Map<String, Object> attrs = new java.util.HashMap<>(8);
                attrs.put("gen_ai.request.model", p.model().id());
                attrs.put("aoaigw.upstream", p.upstream().name());
                attrs.put("aoaigw.deployment", p.deployment().deployment());
                attrs.put("server.address", p.target().getHost());
                attrs.put("server.port", (long) p.target().getPort());
                if (a.status() > 0) {
                    attrs.put("http.response.status_code", (long) a.status());
                }
                if (a.error() != null) {
                    attrs.put("error.type", a.error());
                }
                log.phase(new ExchangeLog.Phase("upstream attempt", a.startNanos(), a.endNanos(), true,
                        a.error() != null, attrs));
            }
        }
    }

    /** {@code x-aoaigw-served-by}: which model and deployment answered (names from the config, header-safe only). */
    private static void servedBy(ServerResponse res, RoutePlan plan) {
        String v = "model=" + plan.model().id() + ", deployment=" + plan.upstream().name() + "/"
                + plan.deployment().deployment();
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch < 0x20 || ch >= 0x7f) {
                return;
            }
        }
        res.header(SERVED_BY, v);
    }

    private byte[] upstreamBody(RequestBody body, RoutePlan plan, TranslationPlan tp, boolean injectUsage) {
        String deployment = plan.deployment().deployment();
        Optional<UnaryOperator<ObjectNode>> transform = tp.request();
        if (transform.isEmpty() && (!injectUsage || !body.streamOptions())) {
            return body.withModel(deployment, injectUsage);
        }
        try {
            ObjectNode tree = (ObjectNode) mapper.readTree(body.body());
            tree.put("model", deployment);
            if (transform.isPresent()) {
                try {
                    tree = transform.get().apply(tree);
                } catch (TranslationException te) {
                    throw new ProxyException.InvalidRequest(te.param(), te.code(), te.getMessage());
                }
            }
            if (injectUsage) {
                JsonNode so = tree.get("stream_options");
                ObjectNode opts = so instanceof ObjectNode o ? o : tree.putObject("stream_options");
                if (!opts.path("include_usage").asBoolean(false)) {
                    opts.put("include_usage", true);
                }
            }
            return mapper.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new ProxyException.InvalidRequest(null, "invalid_json", "The request body is not valid JSON.");
        }
    }

    private static void requireJson(ServerRequest req) {
        String ct = req.headers().first(HeaderNames.CONTENT_TYPE).orElse("");
        String base = ct.toLowerCase(Locale.ROOT);
        int semi = base.indexOf(';');
        if (semi >= 0) {
            base = base.substring(0, semi);
        }
        base = base.trim();
        if (!(base.equals("application/json") || (base.startsWith("application/") && base.endsWith("+json")))) {
            throw new ProxyException.InvalidRequest(415, null, "unsupported_media_type",
                    "The request body must be JSON (Content-Type: application/json).");
        }
    }

    private byte[] readBody(ServerRequest req, ServerResponse res, ExchangeLog log) {
        long limit = bodyLimit;
        OptionalLong declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            throw tooLarge(req, null, res, log, limit);
        }
        // not try-with-resources: closing Helidon's entity stream after a refusal drains the rest of the upload, and
        // inside an oversized chunk it reads the data as a chunk-size line without bound; the 413 drains a bounded
        // amount itself and closes
        InputStream in = req.content().inputStream();
        try {
            if (declared.isPresent()) {
                return readEntity(in, declared);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
            byte[] buf = new byte[16384];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                total += n;
                if (total > limit) {
                    throw tooLarge(req, in, res, log, limit);
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } catch (RequestException e) {
            // the server-wide limit cut the entity (one chunk announcing more than it)
            if (e.status().code() == 413) {
                throw tooLarge(req, in, res, log, limit);
            }
            throw brokenFraming(res, log, e);
        } catch (IOException | UncheckedIOException e) {
            throw new ProxyException.InvalidRequest(null, "body_read_failed", "The request body could not be read.");
        } catch (ProxyException | CloseConnectionException e) {
            throw e;
        } catch (RuntimeException e) {
            throw brokenFraming(res, log, e);
        }
    }

    /**
     * Helidon's chunked decoder reports a broken size line (overflowing, negative, ended by a bare LF) as a
     * NumberFormatException or a RequestException; nothing after it can be framed, so after the 400 the connection is
     * closed instead of waiting for a next request that can never be found.
     */
    private CloseConnectionException brokenFraming(ServerResponse res, ExchangeLog log, RuntimeException e) {
        ProxyException bad = new ProxyException.InvalidRequest(null, "invalid_body_framing",
                "The request body's chunked framing is invalid.");
        log.status(bad.status());
        log.errorCode(bad.code());
        res.header(HeaderValues.CONNECTION_CLOSE);
        errors.send(res, bad);
        return new CloseConnectionException("malformed chunked request body", e);
    }

    /**
     * Reads an entity of known length into one array of that size. Helidon allocates a buffer of the size each read
     * asks for, and {@code readAllBytes} asks 16 KiB at a time and copies again, so exact reads keep the garbage of a
     * small answer at its own size instead of about 40 KiB. Only up to {@value #PREALLOCATE_MAX} bytes are reserved
     * before they arrive: a peer announcing a large length and sending nothing must not make the proxy hold memory
     * for it; larger entities grow with the bytes that actually come (Helidon's framing ends them at the length).
     *
     * @param in       the entity
     * @param declared its Content-Length, if known
     * @return the bytes
     * @throws IOException when fewer bytes arrive than declared
     */
    static byte[] readEntity(InputStream in, OptionalLong declared) throws IOException {
        if (declared.isEmpty() || declared.getAsLong() > PREALLOCATE_MAX) {
            return in.readAllBytes();
        }
        int len = (int) declared.getAsLong();
        byte[] body = new byte[len];
        if (in.readNBytes(body, 0, len) == len) {
            return body; // HTTP framing: bytes after Content-Length are not part of this entity
        }
        throw new IOException("the entity ended before its Content-Length");
    }

    /**
     * Answers 413 and closes the connection. Closing a socket whose receive buffer still holds unread upload makes the
     * kernel send a reset, which can reach the client before it has read the answer (it then sees a broken connection,
     * not the 413). So, as web servers do before such a close, the rest of the upload is read and thrown away first,
     * bounded by {@link #DRAIN_MAX_BYTES} and {@link #DRAIN_MAX_NANOS}: nothing is kept, and a larger or slower upload
     * is cut off as before.
     */
    private CloseConnectionException tooLarge(ServerRequest req, InputStream entity, ServerResponse res,
                                              ExchangeLog log, long limit) {
        ProxyException e = new ProxyException.InvalidRequest(413, null, "request_too_large",
                "The request body exceeds the limit of " + limit + " bytes.");
        log.status(e.status());
        log.errorCode(e.code());
        res.header(HeaderValues.CONNECTION_CLOSE);
        errors.send(res, e);
        // a client that asked "Expect: 100-continue" and had no answer yet sends nothing more (reading would make
        // Helidon send the 100 after the 413)
        boolean waits = req.headers().contains(HeaderValues.EXPECT_100) && entity == null;
        long drained = 0;
        if (!waits) {
            try {
                drained = drain(entity != null ? entity : req.content().inputStream(), DRAIN_MAX_BYTES,
                        DRAIN_MAX_NANOS);
            } catch (RuntimeException refused) {
                // no entity to read (Helidon refused it): the close follows
            }
        }
        return new CloseConnectionException("request body over the limit (" + drained + " further bytes discarded)");
    }

    /**
     * Reads and discards the rest of a request entity.
     *
     * @return the bytes discarded
     */
    static long drain(InputStream in, long maxBytes, long maxNanos) {
        long until = System.nanoTime() + maxNanos;
        long total = 0;
        byte[] buf = new byte[16384];
        try {
            int n;
            while (total < maxBytes && System.nanoTime() < until
                    && (n = in.read(buf, 0, (int) Math.min(buf.length, maxBytes - total))) >= 0) {
                total += n;
            }
        } catch (IOException | RuntimeException ignored) {
            // the upload broke off or passed the server-wide limit: the close follows either way
        }
        return total;
    }
}
