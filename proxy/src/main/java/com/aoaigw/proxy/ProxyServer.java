package com.aoaigw.proxy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import java.time.Duration;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStores;
import com.aoaigw.config.FileConfigStore;
import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.api.ClientAuthFilter;
import com.aoaigw.proxy.api.ErrorRenderer;
import com.aoaigw.proxy.api.Forwarder;
import com.aoaigw.proxy.api.HealthService;
import com.aoaigw.proxy.api.ModelsService;
import com.aoaigw.proxy.api.OpenAiDirectHandler;
import com.aoaigw.proxy.api.OpenAiService;
import com.aoaigw.proxy.api.ProxyException;
import com.aoaigw.proxy.api.RequestIdFilter;
import com.aoaigw.proxy.observe.AccessLog;
import com.aoaigw.proxy.observe.ObserveSetup;
import com.aoaigw.proxy.observe.ProxyMetrics;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.upstream.FailoverLoop;
import com.aoaigw.proxy.observe.RequestRecorder;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.translate.CompatibilityTranslators;
import com.aoaigw.proxy.upstream.CredentialCache;
import com.aoaigw.proxy.upstream.Translators;
import com.aoaigw.proxy.upstream.UpstreamClient;
import com.aoaigw.proxy.upstream.Watchdog;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http.HttpRouting;

/**
 * Builds and runs the proxy: components, routing, server. {@link #start(ProcessSettings)} is what {@link Main}
 * and the tests call; {@link #routing} is the static routing method.
 */
public final class ProxyServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ProxyServer.class.getName());

    private final WebServer server;
    private final Components components;
    private final ConfigStore store;

    private ProxyServer(WebServer server, Components components, ConfigStore store) {
        this.server = server;
        this.components = components;
        this.store = store;
    }

    /**
     * Starts the proxy with the routes contributed through {@link ServiceLoader} (the admin area) and the
     * model-compatibility translators (normalisation per model family, chat ⇄ responses translation).
     *
     * @param settings process settings
     * @return the running proxy
     */
    public static ProxyServer start(ProcessSettings settings) {
        return start(settings, new CompatibilityTranslators(new ObjectMapper()), List.of());
    }

    /**
     * Starts the proxy.
     *
     * @param settings     process settings
     * @param translators  the translation hook
     * @param contributors extra routes (besides those found by ServiceLoader)
     * @return the running proxy
     */
    public static ProxyServer start(ProcessSettings settings, Translators translators,
                                    List<RouteContributor> contributors) {
        Components c = components(settings, translators);
        Path file = Path.of(settings.store().configPath());
        ConfigStore store = "blob".equals(settings.store().mode())
                ? ConfigStores.create(settings.store())
                : new FileConfigStore(file, Duration.ofMillis(settings.configPollMs()));
        c.config().follow(store);
        if (c.config().current() == null) {
            LOG.log(System.Logger.Level.WARNING, "no valid config at start: " + c.config().problem()
                    + " (/healthz answers 503 until one is written)");
        }
        List<RouteContributor> all = new ArrayList<>(contributors);
        ServiceLoader.load(RouteContributor.class).forEach(all::add);

        ConfigSnapshot snap = c.config().current();
        String host = settings.host() != null ? settings.host() : (snap != null ? snap.config().server().host() : "0.0.0.0");
        int port = settings.port() != null ? settings.port() : (snap != null ? snap.config().server().port() : 3000);
        WebServerConfig.Builder b = WebServer.builder().host(host).port(port)
                // one flush per SSE event must leave at once, not wait for the previous segment's ACK (Nagle)
                .connectionOptions(o -> o.tcpNoDelay(true));
        setup(b, c, all);
        WebServer server = b.build().start();
        LOG.log(System.Logger.Level.INFO, "proxy listening on " + host + ":" + server.port() + " (config " + file + ")");
        return new ProxyServer(server, c, store);
    }

    /**
     * Builds the shared components.
     *
     * @param settings    process settings
     * @param translators translation hook
     * @return the components
     */
    public static Components components(ProcessSettings settings, Translators translators) {
        ObjectMapper mapper = new ObjectMapper();
        ConfigLoader loader = new ConfigLoader();
        ConfigHolder holder = new ConfigHolder(loader, Path.of(settings.store().configPath()));
        CredentialCache credentials = new CredentialCache();
        UpstreamClient upstream = new UpstreamClient(UpstreamSettings.defaults(), credentials);
        holder.onChange(s -> {
            upstream.update(s.config().server().upstream());
            credentials.retain(s.config().upstreams().stream().map(u -> s.config().effectiveAuth(u).resolve()).toList());
        });
        ProxyMetrics metrics = new ProxyMetrics(Metrics.globalRegistry());
        RequestRecorder recorder = new RequestRecorder(new AccessLog(), metrics);
        ModelRouter router = new ModelRouter();
        Pools pools = Pools.local();
        holder.onChange(s -> metrics.deploymentStates(s.config(), pools));
        return new Components(settings, holder, loader, mapper, new ErrorRenderer(mapper.getFactory()),
                router, translators, credentials, upstream, new Watchdog(), recorder, pools,
                new FailoverLoop(upstream, router, pools));
    }

    /**
     * Configures a server builder: observe feature (metrics, health) and routing.
     *
     * @param builder      the server builder
     * @param c            components
     * @param contributors extra routes
     */
    public static void setup(WebServerConfig.Builder builder, Components c, List<RouteContributor> contributors) {
        OpenAiDirectHandler direct = new OpenAiDirectHandler(c.errors());
        builder.featuresDiscoverServices(false)
                // the response headers are the proxy's own or upstream headers that the client already validated
                // when it parsed them, so they are not checked a second time; request headers still are
                .addProtocol(Http1Config.builder().validateRequestHeaders(true).validateResponseHeaders(false).build())
                .directHandlers(d -> {
                    for (io.helidon.http.DirectHandler.EventType t : io.helidon.http.DirectHandler.EventType.values()) {
                        d.addHandler(t, direct);
                    }
                })
                .addFeature(ObserveSetup.feature(c))
                .routing(r -> routing(r, c, contributors));
    }

    /**
     * The routing: filters, data-plane services, contributed routes, then 404 for everything else.
     *
     * @param routing      the routing builder
     * @param c            components
     * @param contributors extra routes
     */
    public static void routing(HttpRouting.Builder routing, Components c, List<RouteContributor> contributors) {
        ErrorRenderer errors = c.errors();
        routing.addFilter(new RequestIdFilter(c.recorder()))
                .addFilter(ObserveSetup.loopbackOnly(errors))
                .addFilter(new ClientAuthFilter(c.config(), errors))
                .error(ProxyException.class, (req, res, e) -> {
                    req.context().get(com.aoaigw.proxy.observe.ExchangeLog.class).ifPresent(l -> {
                        l.errorCode(e.code());
                        l.status(e.status());
                    });
                    if (e.getCause() != null) {
                        LOG.log(System.Logger.Level.DEBUG, "request failed: " + e.code(), e.getCause());
                    }
                    if (!res.isSent()) {
                        errors.send(res, e);
                    }
                })
                .error(Exception.class, (req, res, e) -> {
                    LOG.log(System.Logger.Level.ERROR, "unexpected error", e);
                    req.context().get(com.aoaigw.proxy.observe.ExchangeLog.class).ifPresent(l -> {
                        l.errorCode("internal_error");
                        l.status(500);
                    });
                    if (!res.isSent()) {
                        errors.send(res, new ProxyException.Internal(500, "internal_error",
                                "The gateway failed to handle the request.", e));
                    }
                })
                .register(new HealthService(c.config(), c.mapper()))
                .register(new ModelsService(c.config(), c.mapper(), errors))
                .register(new OpenAiService(new Forwarder(c), errors));
        for (RouteContributor rc : contributors) {
            rc.register(routing, c);
        }
        // a feature of the lowest weight is set up last, after the observe feature's /metrics and /health
        routing.addFeature(new NotFoundFeature(errors));
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

    /** @return the port the server listens on */
    public int port() {
        return server.port();
    }

    /** @return the components (tests, admin) */
    public Components components() {
        return components;
    }

    /** Stops the server. */
    public void stop() {
        server.stop();
        components.watchdog().close();
        store.close();
    }

    @Override
    public void close() {
        stop();
    }
}
