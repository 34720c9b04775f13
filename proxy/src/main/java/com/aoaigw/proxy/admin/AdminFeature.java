package com.aoaigw.proxy.admin;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.state.ConsoleStore;
import com.aoaigw.proxy.state.LocalConsoleStore;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;

/**
 * The admin area as one Helidon {@link HttpFeature}: the security filter, the admin API at {@code /admin/api}, the
 * admin page's static files at {@code /admin} (classpath location {@code admin}, from the admin-ui jar), and
 * caddy-manager's report endpoint at {@code /internal/caddy/report}. Creating it installs the log-buffer handler on
 * the root logger and makes sure the admin has a usable password (generating one on first start).
 *
 * <p>{@code ProxyServer} creates it, adds it to the routing after the data-plane routes, and feeds {@link #stats()}
 * one {@link RequestRecord} per finished client API request.
 */
public final class AdminFeature implements HttpFeature, AutoCloseable {
    private final java.util.List<io.helidon.webserver.http.HttpService> extraApis = new java.util.ArrayList<>();
    private final AdminService service;
    private final CaddyReportService report;
    private final AdminSecurityFilter filter;
    private final UsageStats stats;
    private final LogBuffer logs;
    private final TlsReportHolder tls;
    private final LogBufferHandler handler;
    private final Optional<String> generatedPassword;
    private final AutoCloseable owned;

    /**
     * What the admin area needs from the process.
     *
     * @param access         the config holder and store
     * @param env            environment lookup ({@code CADDY_MANAGER_TOKEN}, {@code ADMIN_LOG_BUFFER_SIZE}, secret
     *                       references)
     * @param listenHost     the address the proxy listens on
     * @param clock          time source
     * @param verifier       upstream checks ({@link HttpUpstreamVerifier} in production)
     * @param preview        Caddyfile preview ({@link RendererCaddyfilePreview}: caddy-manager's renderer)
     * @param throttle       login backoff limits
     * @param stdout         where a generated admin password is printed once
     * @param appVersion     the gateway's version
     * @param installLogs    install the log-buffer handler on the root logger
     */
    public record Options(AdminConfigAccess access, Function<String, String> env, Supplier<String> listenHost,
                          Clock clock, UpstreamVerifier verifier, CaddyfilePreview preview,
                          LoginThrottle.Policy throttle, PrintStream stdout, String appVersion, boolean installLogs) {
        /**
         * Production defaults.
         *
         * @param access     the config holder and store
         * @param listenHost the address the proxy listens on
         * @return options
         */
        public static Options defaults(AdminConfigAccess access, Supplier<String> listenHost) {
            String v = AdminFeature.class.getPackage().getImplementationVersion();
            return new Options(access, System::getenv, listenHost, Clock.systemUTC(), new HttpUpstreamVerifier(),
                    new RendererCaddyfilePreview(), LoginThrottle.Policy.defaults(), System.out,
                    v == null ? "dev" : v, true);
        }
    }

    private AdminFeature(Options o, AutoCloseable owned, ConsoleStore console) {
        this.owned = owned;
        Clock clock = o.clock();
        AdminConfigAccess access = o.access();
        this.stats = new UsageStats(clock);
        this.logs = new LogBuffer(LogBuffer.sizeFrom(o.env().apply("ADMIN_LOG_BUFFER_SIZE")));
        this.tls = new TlsReportHolder();
        PasswordHasher hasher = new PasswordHasher();
        ClientKeys keys = new ClientKeys(new SecureRandom());
        AdminAuthenticator authenticator = new AdminAuthenticator(() -> access.current().config(), o.listenHost(),
                hasher, clock);
        SessionStore sessions = new SessionStore(Duration.ofMinutes(30), Duration.ofHours(12), clock, console);
        LoginThrottle throttle = new LoginThrottle(o.throttle(), clock, console);
        this.filter = new AdminSecurityFilter(authenticator, sessions, throttle, () -> access.current().config());
        this.service = new AdminService(new AdminService.Parts(access, authenticator, sessions, throttle, stats, logs,
                tls, o.verifier(), o.preview(), keys, o.env(), clock, clock.instant(), o.appVersion()));
        this.report = new CaddyReportService(tls, o.env(), clock);
        AtomicReference<Object[]> cache = new AtomicReference<>(new Object[] {null, List.of()});
        LogRedactor redactor = new LogRedactor(() -> {
            ConfigSnapshot s = access.current();
            Object[] c = cache.get();
            if (s != null && !s.etag().equals(c[0])) {
                List<String> values = new ArrayList<>(ConfigSecrets.values(s.config()));
                String token = o.env().apply(CaddyReportService.TOKEN_ENV);
                if (token != null && !token.isBlank()) {
                    values.add(token.trim());
                }
                c = new Object[] {s.etag(), List.copyOf(values)};
                cache.set(c);
            }
            @SuppressWarnings("unchecked")
            List<String> v = (List<String>) c[1];
            return v;
        });
        this.handler = o.installLogs() ? new LogBufferHandler(logs, redactor).install() : null;
        this.generatedPassword = new AdminBootstrap(access, new ConfigLoader(), hasher, keys)
                .ensure(authenticator, o.stdout());
    }

    /**
     * @param options what the admin area needs
     * @return the feature, ready to add to the routing
     */
    public static AdminFeature create(Options options) {
        return create(options, null);
    }

    /**
     * @param options what the admin area needs
     * @param owned   closed with the feature (e.g. the config store opened for it)
     * @return the feature, ready to add to the routing
     */
    public static AdminFeature create(Options options, AutoCloseable owned) {
        return new AdminFeature(options, owned, new LocalConsoleStore(options.clock()::millis));
    }

    /**
     * @param options what the admin area needs
     * @param owned   closed with the feature (e.g. the config store opened for it), or null
     * @param console where sessions and the login throttle's counts live (shared by the replicas in redis mode)
     * @return the feature, ready to add to the routing
     */
    public static AdminFeature create(Options options, AutoCloseable owned, ConsoleStore console) {
        return new AdminFeature(options, owned, console);
    }

    @Override
    public void afterStop() {
        close();
    }

    /**
     * Adds an API service under {@code /admin/api}, behind the same security filter, before the admin API's own
     * routes (whose catch-all answers 404); call before the routing is built.
     *
     * @param api the service
     * @return this feature
     */
    public AdminFeature withApi(io.helidon.webserver.http.HttpService api) {
        extraApis.add(api);
        return this;
    }

    @Override
    public void setup(HttpRouting.Builder routing) {
        routing.addFilter(filter);
        // the one place an admin API error becomes a response
        com.fasterxml.jackson.databind.ObjectMapper mapper = AdminJson.mapper();
        routing.error(AdminException.class, (req, res, e) -> {
            if (!res.isSent()) {
                AdminErrors.send(mapper, res, e.status(), e.code(), e.getMessage(), e.details(), e.extra());
            }
        });
        extraApis.forEach(api -> routing.register("/admin/api", api));
        routing.get("/admin", (req, res) -> {
            res.status(301);
            res.header(HeaderNames.LOCATION, "/admin/");
            res.send();
        });
        routing.register("/admin/api", service);
        routing.register(CaddyReportService.PATH, report);
        Optional<String> uplot = AdminVendor.uplotDist();
        if (uplot.isPresent()) {
            routing.register(AdminVendor.UPLOT_PATH, StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                    .location(uplot.get())
                    .build()));
        } else {
            System.getLogger(AdminFeature.class.getName()).log(System.Logger.Level.WARNING,
                    "the uPlot WebJar is not on the class path; the usage page shows its tables without charts");
        }
        routing.register("/admin", StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                .location("admin")
                .welcome("index.html")
                .build()));
    }

    /** @return the statistics; feed it one record per finished request */
    public UsageStats stats() {
        return stats;
    }

    /** @return the log ring buffer */
    public LogBuffer logs() {
        return logs;
    }

    /** @return the last TLS report */
    public TlsReportHolder tls() {
        return tls;
    }

    /** @return the admin password generated at start-up, if one was (tests only; never log it) */
    public Optional<String> generatedPassword() {
        return generatedPassword;
    }

    @Override
    public void close() {
        if (handler != null) {
            handler.uninstall();
        }
        if (owned != null) {
            try {
                owned.close();
            } catch (Exception e) {
                System.getLogger(AdminFeature.class.getName()).log(System.Logger.Level.WARNING,
                        "closing the admin area's store failed: " + e.getMessage());
            }
        }
    }
}
