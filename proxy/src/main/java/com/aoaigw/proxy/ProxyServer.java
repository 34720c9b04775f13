package com.aoaigw.proxy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStores;
import com.aoaigw.config.FileConfigStore;
import com.aoaigw.config.UpstreamAuth;
import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.admin.AdminFeature;
import com.aoaigw.proxy.admin.CaddyReportService;
import com.aoaigw.proxy.admin.DeploymentsService;
import com.aoaigw.proxy.admin.FleetService;
import com.aoaigw.proxy.admin.GatewayHealth;
import com.aoaigw.proxy.admin.AdminConfigAccess;
import com.aoaigw.proxy.admin.HttpUpstreamVerifier;
import com.aoaigw.proxy.admin.LimitsAdminService;
import com.aoaigw.proxy.admin.PlaygroundService;
import com.aoaigw.proxy.admin.RequestRecord;
import com.aoaigw.proxy.api.ClientAuthFilter;
import com.aoaigw.proxy.api.Forwarder;
import com.aoaigw.proxy.api.HeadRequestFilter;
import com.aoaigw.proxy.api.HealthService;
import com.aoaigw.proxy.api.ModelsService;
import com.aoaigw.proxy.api.OpenAiDirectHandler;
import com.aoaigw.proxy.api.OpenAiService;
import com.aoaigw.proxy.api.RequestHeadTimeout;
import com.aoaigw.proxy.api.RequestIdFilter;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.limit.Limits;
import com.aoaigw.proxy.observe.AccessLog;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.proxy.observe.InFlightFilter;
import com.aoaigw.proxy.observe.ObserveSetup;
import com.aoaigw.proxy.observe.ProxyMetrics;
import com.aoaigw.proxy.route.ClientApiPath;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.state.FollowingConsoleStore;
import com.aoaigw.proxy.upstream.FailoverLoop;
import com.aoaigw.proxy.observe.RequestRecorder;
import com.aoaigw.proxy.observe.Telemetry;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.translate.CompatibilitySelector;
import com.aoaigw.proxy.upstream.CredentialCache;
import com.aoaigw.proxy.upstream.PoolOverrides;
import com.aoaigw.proxy.upstream.HttpUpstreamClient;
import com.aoaigw.proxy.upstream.UpstreamClient;
import com.aoaigw.proxy.upstream.UpstreamFailures;
import com.aoaigw.proxy.upstream.Watchdog;
import com.aoaigw.proxy.usage.UsageAdminService;
import com.aoaigw.proxy.usage.UsageEvent;
import com.aoaigw.proxy.usage.UsageService;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;

/**
 * Builds and runs the proxy: the parts (each handed to the constructors that need it), routing, server.
 * {@link #start(ProcessSettings)} is what {@link Main} and the tests call. The admin area is registered here too,
 * after the data-plane routes and before the final 404 handler.
 */
public final class ProxyServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyServer.class.getName());

    /** The admin API's own body limit; the server-wide maximum never goes below it. */
    private static final long MIN_PAYLOAD_LIMIT = 2L * 1024 * 1024;

    private final WebServer server;
    private final ConfigHolder config;
    private final Watchdog watchdog;
    private final ConfigStore store;
    private final Limits limits;
    private final RequestHeadTimeout heads;
    private final FleetService fleet;
    private final FollowingConsoleStore console;
    private final UsageService usage;

    private ProxyServer(WebServer server, ConfigHolder config, Watchdog watchdog, ConfigStore store,
                        RequestHeadTimeout heads, Limits limits, FleetService fleet, FollowingConsoleStore console,
                        UsageService usage) {
        this.server = server;
        this.fleet = fleet;
        this.console = console;
        this.usage = usage;
        this.config = config;
        this.watchdog = watchdog;
        this.store = store;
        this.limits = limits;
        this.heads = heads;
    }

    /**
     * Starts the proxy with the admin area and the model-compatibility translators (normalisation per model
     * family, chat ⇄ responses translation).
     *
     * @param settings process settings
     * @return the running proxy
     */
    public static ProxyServer start(ProcessSettings settings) {
        return start(settings, Clock.systemUTC());
    }

    /**
     * Starts the proxy with the admin area on the given clock (tests move it forward instead of sleeping).
     *
     * @param settings   process settings
     * @param adminClock the admin area's time source (sessions, throttling, statistics, report staleness)
     * @return the running proxy
     */
    public static ProxyServer start(ProcessSettings settings, Clock adminClock) {
        ObjectMapper mapper = new ObjectMapper();
        ConfigLoader loader = new ConfigLoader();
        ConfigHolder holder = new ConfigHolder(loader);
        CredentialCache credentials = new CredentialCache();
        UpstreamClient upstream = upstreamClient(holder, credentials, settings.poolOverrides());
        Telemetry telemetry = Telemetry.fromEnvironment(System.getenv());
        ProxyMetrics metrics = new ProxyMetrics(Metrics.globalRegistry());
        RequestRecorder recorder = new RequestRecorder(new AccessLog(), metrics, telemetry);
        Limits limits = new Limits(System::currentTimeMillis);
        holder.onChange(s -> limits.update(s.config().server().sharedState()));
        metrics.sharedStateUp(() -> limits.limiter().state().up());
        // admin sessions, the login throttle and the replicas' heartbeats follow server.sharedState too
        FollowingConsoleStore console = new FollowingConsoleStore(adminClock::millis);
        holder.onChange(s -> console.update(s.config().server().sharedState()));
        ErrorRenderer errors = new ErrorRenderer(mapper.getFactory());
        Watchdog watchdog = new Watchdog();
        ModelRouter router = new ModelRouter();
        Pools pools = Pools.local();
        holder.onChange(s -> metrics.deploymentStates(s.config(), pools));
        UsageService usage = new UsageService(settings.usage(), adminClock::millis);
        holder.onChange(s -> usage.sharedState(s.config().server().sharedState()));
        recordUsage(recorder, holder, usage, adminClock);

        Path file = Path.of(settings.store().configPath());
        ConfigStore store = settings.store().mode() == com.aoaigw.config.StoreMode.BLOB
                ? ConfigStores.create(settings.store())
                : new FileConfigStore(file, Duration.ofMillis(settings.configPollMs()));
        holder.follow(store);
        if (holder.current() == null) {
            LOG.log(System.Logger.Level.WARNING, "no valid config at start: " + holder.problem()
                    + " (/healthz answers 503 until one is written)");
        }
        ConfigSnapshot first = holder.current();
        String host = settings.host() != null ? settings.host() : (first != null ? first.config().server().host() : "0.0.0.0");
        int port = settings.port() != null ? settings.port() : (first != null ? first.config().server().port() : 3000);
        try {
            // before anything else happens (a generated admin password, a report), so a second run on a port
            // in use fails at once with one line and changes nothing
            ensureFree(host, port);
        } catch (ListenFailedException e) {
            watchdog.close();
            store.close();
            console.close();
            usage.close();
            throw e;
        }
        usage.start();
        Forwarder forwarder = forwarder(settings, mapper, errors, router, upstream, pools, watchdog, limits);
        GatewayHealth health = new GatewayHealth(adminClock::millis);
        AdminFeature admin = admin(settings, holder, store, credentials, recorder, adminClock, console, health);
        InFlightFilter inFlight = new InFlightFilter();
        String version = ProxyServer.class.getPackage().getImplementationVersion();
        FleetService fleet = new FleetService(FleetService.replicaId(), console, new AdminConfigAccess(holder, store),
                health, inFlight::current, () -> limits.limiter().state().up(), adminClock::millis,
                version == null ? "dev" : version, FleetService.INTERVAL_MS);
        holder.onChange(s -> fleet.beatSoon());
        admin.withApi(fleet);
        Parts parts = new Parts(holder, mapper, errors, recorder, forwarder, admin, limits, pools);
        admin.stats().history(usage);
        admin.withApi(new UsageAdminService(usage, () -> {
            ConfigSnapshot s = holder.current();
            return s == null ? null : s.config();
        }, mapper));

        OpenAiDirectHandler direct = new OpenAiDirectHandler(errors);
        ProcessSettings.ConnectionTimeouts timeouts = settings.connectionTimeouts();
        RequestHeadTimeout heads = new RequestHeadTimeout(timeouts.requestHeadMs());
        WebServerConfig.Builder b = WebServer.builder().host(host).port(port)
                // one flush per SSE event must leave at once, not wait for the previous segment's ACK (Nagle)
                .connectionOptions(o -> o.tcpNoDelay(true))
                // Helidon closes a connection waiting for a request line (new, or kept alive) once it has been idle
                // this long; its idle clock ticks once a second, so the check runs at most every second
                .idleConnectionTimeout(Duration.ofMillis(timeouts.keepAliveIdleMs()))
                .idleConnectionPeriod(Duration.ofMillis(Math.clamp(timeouts.keepAliveIdleMs() / 4, 250, 10_000)))
                .featuresDiscoverServices(false)
                // only this HTTP/1.1 configuration: with the discovered default as well, Helidon had two candidate
                // protocols and read a first byte before picking one, so a connection that never sent a byte was
                // not yet a connection its idle check could see (and stayed open for good)
                .protocolsDiscoverServices(false)
                // the server-wide backstop behind the per-route body limits: no request entity (declared or chunked)
                // larger than the data plane's limit is read, whichever handler reads it
                .maxPayloadSize(Math.max(settings.bodyLimit(), MIN_PAYLOAD_LIMIT))
                // the response headers are the proxy's own or upstream headers that the client already validated
                // when it parsed them, so they are not checked a second time; request headers still are
                .addProtocol(Http1Config.builder().validateRequestHeaders(true).validateResponseHeaders(false)
                        .addReceiveListener(heads).build())
                .directHandlers(d -> {
                    for (io.helidon.http.DirectHandler.EventType t : io.helidon.http.DirectHandler.EventType.values()) {
                        d.addHandler(t, direct);
                    }
                })
                .addFeature(ObserveSetup.feature(holder, credentials))
                .routing(r -> {
                    // counts the client API requests in flight for the heartbeat (before everything else)
                    r.addFilter(inFlight);
                    routing(r, parts);
                    // the last usage snapshot is written when the server stops (SIGTERM runs Helidon's shutdown hook)
                    r.addFeature(new UsageShutdown(usage));
                });
        WebServer server;
        try {
            server = b.build().start();
        } catch (RuntimeException e) {
            heads.close();
            usage.close();
            throw e;
        }
        if (server.port() < 0) {
            // Helidon reports a failed bind by logging it and leaving the server stopped (port -1)
            server.stop();
            heads.close();
            watchdog.close();
            store.close();
            console.close();
            usage.close();
            throw new ListenFailedException("cannot listen on " + host + ":" + port + " (see the log above)");
        }
        LOG.log(System.Logger.Level.INFO, "proxy listening on " + host + ":" + server.port() + " (config " + file + ")");
        fleet.start();
        return new ProxyServer(server, holder, watchdog, store, heads, limits, fleet, console, usage);
    }

    /**
     * What the routing serves with: built by {@link #start}, or by a test around a fake upstream client.
     *
     * @param config    the config holder
     * @param mapper    the shared Jackson mapper
     * @param errors    the error renderer
     * @param recorder  records each finished exchange
     * @param forwarder the forwarded operations
     * @param admin     the admin area
     * @param limits    the limits, quotas and budgets
     * @param pools     the deployment pools
     */
    record Parts(ConfigHolder config, ObjectMapper mapper, ErrorRenderer errors, RequestRecorder recorder,
                 Forwarder forwarder, AdminFeature admin, Limits limits, Pools pools) {
    }

    /**
     * The forwarder of the client API over an upstream client (the real one, or a test's fake).
     */
    static Forwarder forwarder(ProcessSettings settings, ObjectMapper mapper, ErrorRenderer errors, ModelRouter router,
                               UpstreamClient upstream, Pools pools, Watchdog watchdog, Limits limits) {
        return new Forwarder(mapper, errors, router, new CompatibilitySelector(mapper),
                new FailoverLoop(upstream, router, pools), watchdog, settings.forwardHeaders(), settings.bodyLimit(),
                limits);
    }

    /**
     * The routing: filters, data-plane services, the admin area, then 404 for everything else. The server's and the
     * routing tests' ({@code @SetUpRoute}) one.
     *
     * @param routing the routing to set up
     * @param parts   what it serves with
     */
    static void routing(HttpRouting.Builder routing, Parts parts) {
        ConfigHolder config = parts.config();
        ObjectMapper mapper = parts.mapper();
        ErrorRenderer errors = parts.errors();
        Forwarder forwarder = parts.forwarder();
        Pools pools = parts.pools();
        routing.addFeature(new HeadRequestFilter())
                .addFilter(new RequestIdFilter(parts.recorder(), parts.recorder().telemetry()))
                .addFilter(ObserveSetup.loopbackOnly(errors))
                .addFilter(new ClientAuthFilter(config, errors))
                .error(ProxyException.class, (req, res, e) -> {
                    req.context().get(ExchangeLog.class).ifPresent(l -> {
                        l.errorCode(e.code());
                        l.status(e.status());
                    });
                    if (e.getCause() != null) {
                        LOG.log(System.Logger.Level.DEBUG, "request failed: " + e.code(), e.getCause());
                    }
                    if (e.status() == UpstreamFailures.CLIENT_CLOSED) {
                        // nobody to answer: end the connection quietly (the access log still records the 499)
                        throw new CloseConnectionException("the client closed the connection", e);
                    }
                    if (!res.isSent()) {
                        errors.send(res, e);
                    }
                })
                .error(io.helidon.http.HttpException.class, (req, res, e) -> {
                    // Helidon answers a conditional GET of an unchanged static file (the admin page on reload)
                    // by throwing 304: that is an answer, not a failure
                    if (e.status().code() < 400) {
                        if (!res.isSent()) {
                            res.status(e.status()).send();
                        }
                        return;
                    }
                    unexpected(errors, req, res, e);
                })
                .error(Exception.class, (req, res, e) -> unexpected(errors, req, res, e))
                .register(new HealthService(config, mapper))
                .register(new ModelsService(mapper, errors))
                .register(new OpenAiService(forwarder, errors))
                .addFeature(parts.admin().withApi(new LimitsAdminService(config, parts.limits(), mapper))
                        .withApi(new DeploymentsService(() -> {
                            ConfigSnapshot s = config.current();
                            return s == null ? null : s.config();
                        }, pools))
                        // the admin page's playground: the data plane's own forwarder, as a chosen client key
                        .withApi(new PlaygroundService(config::current,
                                (req, res, route) -> forwarder.forward(req, res, route, null))));
        // a feature of the lowest weight is set up last, after the observe feature's /metrics and /health
        routing.addFeature(new NotFoundFeature(errors));
    }

    private static void unexpected(ErrorRenderer errors, io.helidon.webserver.http.ServerRequest req,
                                   io.helidon.webserver.http.ServerResponse res, Exception e) {
        LOG.log(System.Logger.Level.ERROR, "unexpected error", e);
        req.context().get(ExchangeLog.class).ifPresent(l -> {
            l.errorCode("internal_error");
            l.status(500);
        });
        if (!res.isSent()) {
            errors.send(res, new ProxyException.Internal(500, "internal_error",
                    "The gateway failed to handle the request.", e));
        }
    }

    /**
     * The admin area: writes through the store the data plane follows, and is fed one {@link RequestRecord} per
     * finished client API request for its statistics.
     */
    static AdminFeature admin(ProcessSettings settings, ConfigHolder holder, ConfigStore store,
                              CredentialCache credentials, RequestRecorder recorder, Clock clock) {
        return admin(settings, holder, store, credentials, recorder, clock, new FollowingConsoleStore(clock::millis),
                new GatewayHealth(clock::millis));
    }

    /**
     * The admin area with its console store (sessions and the login throttle, shared by the replicas in redis mode)
     * and the gateway health it feeds.
     */
    static AdminFeature admin(ProcessSettings settings, ConfigHolder holder, ConfigStore store,
                              CredentialCache credentials, RequestRecorder recorder, Clock clock,
                              FollowingConsoleStore console, GatewayHealth health) {
        AdminConfigAccess access = new AdminConfigAccess(holder, store);
        AdminFeature.Options defaults = AdminFeature.Options.defaults(access, () -> {
            if (settings.host() != null) {
                return settings.host();
            }
            ConfigSnapshot s = holder.current();
            return s == null ? "0.0.0.0" : s.config().server().host();
        });
        AdminFeature.Options options = new AdminFeature.Options(access, k -> switch (k) {
            case CaddyReportService.TOKEN_ENV -> settings.caddyManagerToken().reveal();
            case "ADMIN_LOG_BUFFER_SIZE" -> String.valueOf(settings.adminLogBufferSize());
            default -> System.getenv(k);
        }, defaults.listenHost(), clock, new HttpUpstreamVerifier(auth -> freshCredential(credentials, auth)),
                defaults.preview(), defaults.throttle(), defaults.stdout(), defaults.appVersion(), true);
        AdminFeature admin = AdminFeature.create(options, null, console);
        recorder.subscribe((e, latencyMs) -> {
            // the playground's requests are client requests made on a key's behalf: counted like them
            if (e.path() != null && (ClientApiPath.matches(e.path()) || e.path().startsWith("/admin/api/playground/"))) {
                admin.stats().accept(new RequestRecord(clock.instant(), e.model(), e.keyId(), e.upstream(),
                        e.status(), e.errorCode(), e.usage().promptTokens(), e.usage().completionTokens(),
                        e.usage().cachedTokens(), latencyMs, e.ttftMs()));
                int failed = 0;
                for (var a : e.attemptList()) { // a loop: a stream pipeline per request showed in the profile
                    if (GatewayHealth.failedAttempt(a.status(), a.error())) {
                        failed++;
                    }
                }
                health.record(e.status(), failed);
            }
        });
        return admin;
    }

    /**
     * A credential from the data plane's token cache (same builders, same authority handling); a cached token is
     * dropped first, so a verify proves the credentials still work now.
     */
    private static HttpUpstreamVerifier.Credential freshCredential(CredentialCache credentials, UpstreamAuth auth) {
        CredentialCache.AuthHeader h = credentials.authorize(auth);
        if (h.token() != null) {
            credentials.invalidate(h);
            h = credentials.authorize(auth);
        }
        return new HttpUpstreamVerifier.Credential(h.name(), h.value(),
                h.token() == null ? null : h.token().getExpiresAt().toInstant());
    }

    /**
     * Feeds the usage history one {@link UsageEvent} per finished client request (the same requests as the admin
     * statistics), with its cost from the pricing of the model that answered.
     */
    private static void recordUsage(RequestRecorder recorder, ConfigHolder holder, UsageService usage, Clock clock) {
        recorder.subscribe((e, latencyMs) -> {
            if (e.path() == null || !(ClientApiPath.matches(e.path()) || e.path().startsWith("/admin/api/playground/"))) {
                return;
            }
            long cost = -1;
            ConfigSnapshot s = holder.current();
            java.util.List<ExchangeLog.Attempt> attempts = e.attemptList();
            String served = attempts.isEmpty() ? e.model() : attempts.get(attempts.size() - 1).model();
            if (s != null && served != null) {
                com.aoaigw.config.Pricing p = s.config().model(served).map(m -> m.pricing()).orElse(null);
                if (p != null) {
                    cost = Math.round(p.cost(e.usage().promptTokens(), e.usage().cachedTokens(),
                            e.usage().completionTokens()) * 1e9);
                }
            }
            usage.record(new UsageEvent(clock.millis(), e.model(), e.keyId(), e.upstream(), e.deployment(),
                    e.status(), e.errorCode(), e.usage().promptTokens(), e.usage().cachedTokens(),
                    e.usage().completionTokens(), e.usage().reasoningTokens(), cost, latencyMs, e.ttftMs()));
        });
    }

    /** Closes the usage history (its last snapshot or Redis flush) when the server stops. */
    private record UsageShutdown(UsageService usage) implements io.helidon.webserver.http.HttpFeature {
        @Override
        public void setup(HttpRouting.Builder routing) {
        }

        @Override
        public void afterStop() {
            usage.close();
        }
    }

    /** Answers 404 {@code unknown_url} to whatever no route matched, for every method. */
    private record NotFoundFeature(ErrorRenderer errors) implements io.helidon.webserver.http.HttpFeature,
            io.helidon.common.Weighted {
        @Override
        public void setup(HttpRouting.Builder routing) {
            routing.any((req, res) -> errors.send(res, new ProxyException.NotFound(null, "unknown_url",
                    "Unknown request URL: " + req.prologue().method().text() + " " + req.path().path() + ".")));
        }

        @Override
        public double weight() {
            return 0.1;
        }
    }

    /**
     * The upstream client, rebuilt from each new config version with the pool variables applied over it.
     *
     * @param holder      the config holder
     * @param credentials the credential cache (trimmed to the credentials the new version uses)
     * @param overrides   the {@code UPSTREAM_*} pool variables
     * @return the client
     */
    static HttpUpstreamClient upstreamClient(ConfigHolder holder, CredentialCache credentials, PoolOverrides overrides) {
        HttpUpstreamClient upstream = new HttpUpstreamClient(UpstreamSettings.defaults(), credentials);
        if (!overrides.describe().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "server.upstream.pool overridden by " + overrides.describe());
        }
        holder.onChange(s -> {
            upstream.update(overrides.apply(s.config().server().upstream()));
            credentials.retain(s.config().upstreams().stream().map(u -> s.config().effectiveAuth(u).resolve()).toList());
        });
        return upstream;
    }

    /** The proxy could not listen on its address (typically: another process holds the port). */
    public static final class ListenFailedException extends RuntimeException {
        /** @param message what failed and what to do */
        public ListenFailedException(String message) {
            super(message);
        }
    }

    private static void ensureFree(String host, int port) {
        if (port == 0) {
            return;
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(host, port));
        } catch (java.net.BindException e) {
            throw new ListenFailedException("port " + port + " on " + host + " is already in use; stop what listens "
                    + "there or choose another port (PORT=...)");
        } catch (java.io.IOException e) {
            throw new ListenFailedException("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
    }

    /** @return the port the server listens on */
    public int port() {
        return server.port();
    }

    /** @return the config holder (tests wait on it for a reload) */
    public ConfigHolder config() {
        return config;
    }

    /** Stops the server. */
    public void stop() {
        fleet.close();
        server.stop();
        heads.close();
        watchdog.close();
        store.close();
        limits.close();
        console.close();
        usage.close();
    }

    @Override
    public void close() {
        stop();
    }
}
