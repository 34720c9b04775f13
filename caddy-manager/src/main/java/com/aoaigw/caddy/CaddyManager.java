package com.aoaigw.caddy;

import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import com.aoaigw.config.CaddySettings;
import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.config.TlsReport;
import com.aoaigw.config.caddy.CaddyfileRenderException;
import com.aoaigw.config.caddy.CaddyfileRenderer;

/**
 * The caddy-manager pipeline: each config version from the {@link ConfigFeed} is parsed, rendered
 * ({@link CaddyfileRenderer}), checked ({@link CaddyfileValidator}) and then either loaded into the running Caddy
 * through its admin API or used to (re)start it ({@link CaddySupervisor}). A version that fails any step is refused
 * and the last good Caddyfile keeps serving. Reports go to the proxy on every change and on a fixed interval.
 *
 * <p>Files under the data directory: {@code Caddyfile} is the last good config (Caddy restarts from it);
 * when Caddy is disabled it is deleted together with Caddy's autosave, so nothing brings Caddy back on the next
 * start.
 */
public final class CaddyManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(CaddyManager.class.getName());

    private final ManagerSettings settings;
    private final ConfigFeed feed;
    private final ConfigLoader loader;
    private final CaddyfileRenderer renderer;
    private final CaddyfileValidator validator;
    private final CaddySupervisor supervisor;
    private final CaddyLogTracker logs;
    private final CertificateInspector certificates;
    private final TlsStateResolver resolver;
    private final CaddyReporter reporter;
    private final HttpClient http;
    private final Clock clock;

    private final ExecutorService applier = Executors.newSingleThreadExecutor(
            Thread.ofVirtual().name("caddy-apply").factory());
    private final AtomicReference<ConfigStore.Versioned> latest = new AtomicReference<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition dirtySignal = lock.newCondition();
    private boolean dirty = true;
    private volatile boolean closed;
    /** The config in effect and the outcome of the last apply, swapped together so a report never mixes them. */
    private volatile Outcome outcome = new Outcome(null,
            new TlsReport.ConfigState("disabled", null, null, null, null));
    private volatile ConfigStore.Versioned retry;
    private Thread reportLoop;

    /** The config in effect. */
    private record Applied(CaddySettings caddy, String caddyfile, String etag, Instant at) {
    }

    private record Outcome(Applied applied, TlsReport.ConfigState config) {
    }

    private final ManagerTelemetry telemetry;
    /** what the version being applied came to (for its span), set on the applier thread */
    private String lastHow;
    private String lastRefusal;

    private CaddyManager(ManagerSettings settings, ConfigFeed feed, HttpClient http, Clock clock, PrintStream forward,
                         ManagerTelemetry telemetry) {
        this.telemetry = telemetry;
        this.settings = settings;
        this.feed = feed;
        this.http = http;
        this.clock = clock;
        this.loader = new ConfigLoader();
        this.renderer = new CaddyfileRenderer();
        this.validator = new CaddyfileValidator(settings.command(), settings.candidate());
        this.logs = new CaddyLogTracker(this::markDirty);
        LogLines lines = LogLines.of(System.getProperty("LOG_FORMAT", System.getenv("LOG_FORMAT")));
        this.certificates = new CertificateInspector(settings.dataDir());
        this.resolver = new TlsStateResolver();
        this.reporter = new CaddyReporter(http, settings.proxyAdminUrl(), settings.token());
        this.supervisor = new CaddySupervisor(settings.command(),
                new CaddySupervisor.Options(settings.probeInterval(), Duration.ofSeconds(15), Duration.ofMillis(500),
                        Duration.ofSeconds(30), Duration.ofSeconds(10)),
                line -> {
                    logs.accept(line);
                    if (forward != null) {
                        String out = lines.caddy(line);
                        if (out != null) {
                            forward.println(out);
                        }
                    }
                },
                logs::lastError, this::markDirty, clock);
    }

    /**
     * Wires the pipeline from the process settings.
     *
     * @param settings the settings
     * @param feed     the config source
     * @return a manager; call {@link #start()}
     */
    public static CaddyManager create(ManagerSettings settings, ConfigFeed feed) {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        return new CaddyManager(settings, feed, http, Clock.systemUTC(), settings.forwardLogs() ? System.err : null,
                ManagerTelemetry.fromEnvironment(System.getenv()));
    }

    /** Starts watching the config and reporting. */
    public void start() {
        try {
            Files.createDirectories(settings.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create CADDY_DATA_DIR " + settings.dataDir() + ": " + e, e);
        }
        lock.lock();
        try {
            reportLoop = Thread.ofVirtual().name("caddy-report").start(this::reportLoop);
        } finally {
            lock.unlock();
        }
        feed.subscribe(this::offer);
    }

    /** @return the report as it is now */
    public TlsReport report() {
        Outcome o = outcome;
        Applied a = o.applied();
        boolean enabled = a != null && a.caddy().enabled();
        List<TlsReport.Certificate> certs = List.of();
        if (a != null && !a.caddy().domain().isBlank()) {
            String domain = a.caddy().domain().trim();
            boolean internal = "internal".equals(a.caddy().ca().trim());
            String issuerKey = internal ? CertificateInspector.LOCAL_ISSUER_KEY
                    : CertificateInspector.issuerKey(CaddyfileRenderer.directoryFor(a.caddy().ca(),
                    settings.renderOptions()));
            certs = List.of(resolver.resolve(domain, enabled, internal,
                    enabled ? certificates.inspect(domain, issuerKey) : Optional.empty(),
                    logs.domain(domain), clock.instant()));
        }
        return new TlsReport(clock.instant(), enabled, supervisor.state(), o.config(), certs);
    }

    private void offer(ConfigStore.Versioned v) {
        if (latest.getAndSet(v) == null && !closed) {
            applier.execute(() -> {
                ConfigStore.Versioned next = latest.getAndSet(null);
                if (next != null && !closed) {
                    apply(next);
                }
            });
        }
    }

    /** One version through the pipeline; runs on the single applier thread. Never throws. */
    private void apply(ConfigStore.Versioned v) {
        try (ManagerTelemetry.Traced span = telemetry.span("caddy apply").attribute("aoaigw.config_etag", v.etag())) {
            lastHow = null;
            try {
                applyOrThrow(v);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "applying config etag " + v.etag() + " failed", e);
                refuse(v, e.getMessage() == null ? e.toString() : e.getMessage());
            }
            span.attribute("aoaigw.outcome", lastHow);
            if ("refused".equals(lastHow)) {
                span.failed(lastRefusal);
            }
        }
    }

    private void applyOrThrow(ConfigStore.Versioned v) {
        retry = null;
        LoadedConfig loaded;
        try {
            loaded = loader.load(v.json());
        } catch (ConfigException e) {
            // only the errors: warnings do not refuse a document
            refuse(v, "the config document was refused: " + e.problems().stream()
                    .filter(p -> p.severity() == ConfigProblem.Severity.ERROR)
                    .map(ConfigProblem::toString).collect(Collectors.joining("; ")));
            return;
        }
        for (ConfigProblem warning : loaded.warnings()) {
            if (warning.path().startsWith("server.caddy")) {
                LOG.log(System.Logger.Level.WARNING, "config etag " + v.etag() + ": " + warning);
            }
        }
        CaddySettings caddy = loaded.config().server().caddy();
        Optional<String> rendered;
        try {
            rendered = renderer.render(caddy, settings.renderOptions());
        } catch (CaddyfileRenderException e) {
            refuse(v, e.getMessage());
            return;
        }
        if (rendered.isEmpty()) {
            disable(v, caddy);
            return;
        }
        String text = rendered.get();
        Applied current = outcome.applied();
        boolean running = supervisor.wanted() && "running".equals(supervisor.state().state());
        if (current != null && text.equals(current.caddyfile()) && running) {
            accept(new Applied(caddy, text, v.etag(), current.at()), "unchanged");
            return;
        }
        Optional<String> problem = validator.problem(text);
        if (problem.isPresent()) {
            refuse(v, problem.get());
            return;
        }
        boolean sameIssuer = current != null && current.caddy().ca().equals(caddy.ca())
                && current.caddy().domain().equals(caddy.domain());
        CaddyAdminClient admin = new CaddyAdminClient(http, caddy.adminAddress().trim());
        boolean sameAdmin = current != null && current.caddy().adminAddress().trim().equals(admin.address());
        if (running && sameAdmin && current.caddyfile() != null) {
            switch (admin.load(text)) {
                case CaddyAdminClient.LoadResult.Loaded l -> {
                    writeLive(text);
                    if (!sameIssuer) {
                        logs.reset();
                    }
                    accept(new Applied(caddy, text, v.etag(), clock.instant()), "loaded");
                }
                case CaddyAdminClient.LoadResult.Refused r ->
                        refuse(v, "Caddy refused the config (HTTP " + r.status() + "): " + r.error());
                case CaddyAdminClient.LoadResult.Unreachable u -> {
                    // the supervisor restarts Caddy from the last good file; try this version again next tick
                    retry = v;
                    LOG.log(System.Logger.Level.WARNING, u.error() + "; will retry loading etag " + v.etag());
                }
            }
            return;
        }
        startWith(v, caddy, text, admin, current, sameIssuer);
    }

    /** Caddy is not running (first start, or after a failure) or its admin address changes: start from the file. */
    private void startWith(ConfigStore.Versioned v, CaddySettings caddy, String text, CaddyAdminClient admin,
                           Applied previous, boolean sameIssuer) {
        writeLive(text);
        if (!sameIssuer) {
            logs.reset();
        }
        boolean wasWanted = supervisor.wanted();
        long generation = supervisor.generation();
        supervisor.run(settings.caddyfile(), admin);
        if (wasWanted) {
            try (ManagerTelemetry.Traced span = telemetry.span("caddy restart").attribute("aoaigw.config_etag", v.etag())) {
                supervisor.restart();
            }
        }
        if (supervisor.awaitRunningAfter(generation, supervisor.startTimeout().plusSeconds(2))) {
            accept(new Applied(caddy, text, v.etag(), clock.instant()), "started");
            return;
        }
        String why = supervisor.state().lastError();
        if (previous != null && previous.caddyfile() != null) {
            // back to the last good config
            writeLive(previous.caddyfile());
            long g = supervisor.generation();
            supervisor.run(settings.caddyfile(), new CaddyAdminClient(http, previous.caddy().adminAddress().trim()));
            supervisor.restart();
            supervisor.awaitRunningAfter(g, supervisor.startTimeout().plusSeconds(2));
            refuse(v, "Caddy did not start with the new config: " + why);
        } else {
            // nothing better to fall back to: keep it, the supervisor keeps retrying with backoff
            accept(new Applied(caddy, text, v.etag(), clock.instant()), "started (not running yet: " + why + ")");
        }
    }

    /**
     * The first document after a start is refused, but the last good Caddyfile of an earlier run is on disk (it is
     * deleted when Caddy is disabled, so it exists only while Caddy was enabled): serve it rather than nothing.
     */
    private void bootFromLastGood() {
        Path live = settings.caddyfile();
        if (supervisor.wanted() || !Files.isRegularFile(live)) {
            return;
        }
        try {
            String text = Files.readString(live);
            Optional<String> admin = text.lines().map(String::trim).filter(l -> l.startsWith("admin "))
                    .map(l -> l.substring("admin ".length()).trim()).findFirst();
            if (admin.isEmpty() || validator.problem(text).isPresent()) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "starting Caddy from the last good Caddyfile of an earlier run");
            supervisor.run(live, new CaddyAdminClient(http, admin.get()));
            CaddySettings unknown = new CaddySettings(true, "", null, null, null, null, null, null, admin.get(), null);
            outcome = new Outcome(new Applied(unknown, text, null, clock.instant()), outcome.config());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read " + live + ": " + e);
        }
    }

    private void disable(ConfigStore.Versioned v, CaddySettings caddy) {
        lastHow = "disabled";
        supervisor.stop();
        for (Path p : List.of(settings.caddyfile(), settings.candidate(), settings.command().autosave())) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete " + p + ": " + e);
            }
        }
        logs.reset();
        Instant now = clock.instant();
        outcome = new Outcome(new Applied(caddy, null, v.etag(), now),
                new TlsReport.ConfigState("disabled", v.etag(), now, null, null));
        LOG.log(System.Logger.Level.INFO, "Caddy is disabled (etag " + v.etag() + "); stopped it and removed its files");
        markDirty();
    }

    private void accept(Applied a, String how) {
        lastHow = how;
        outcome = new Outcome(a, new TlsReport.ConfigState("applied", a.etag(), a.at(), null, a.caddyfile()));
        LOG.log(System.Logger.Level.INFO, "Caddy config " + how + " (etag " + a.etag() + ")");
        markDirty();
    }

    private void refuse(ConfigStore.Versioned v, String error) {
        lastHow = "refused";
        lastRefusal = error;
        if (outcome.applied() == null) {
            bootFromLastGood();
        }
        Applied a = outcome.applied();
        LOG.log(System.Logger.Level.WARNING, "refused config etag " + v.etag() + ": " + error
                + (a == null ? "" : "; the last good config (etag " + a.etag() + ") stays in effect"));
        outcome = new Outcome(a, new TlsReport.ConfigState("refused", a == null ? null : a.etag(),
                a == null ? null : a.at(), error, a == null ? null : a.caddyfile()));
        markDirty();
    }

    private void writeLive(String text) {
        Path live = settings.caddyfile();
        Path tmp = live.resolveSibling(live.getFileName() + ".tmp");
        try {
            Files.createDirectories(live.toAbsolutePath().getParent());
            Files.writeString(tmp, text);
            Files.move(tmp, live, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + live + ": " + e, e);
        }
    }

    private void markDirty() {
        lock.lock();
        try {
            dirty = true;
            dirtySignal.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void reportLoop() {
        while (!closed) {
            lock.lock();
            try {
                if (!dirty) {
                    dirtySignal.await(settings.reportInterval().toMillis(), TimeUnit.MILLISECONDS);
                }
                dirty = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            if (closed) {
                return;
            }
            try {
                // let a burst of changes settle into one report
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            ConfigStore.Versioned again = retry;
            // a newer version waiting to be applied wins over the retry
            if (again != null && !closed && latest.compareAndSet(null, again)) {
                applier.execute(() -> {
                    ConfigStore.Versioned next = latest.getAndSet(null);
                    if (next != null && !closed) {
                        apply(next);
                    }
                });
            }
            sendReport();
        }
    }

    private void sendReport() {
        try {
            reporter.send(report());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot build or send the report: " + e, e);
        }
    }

    /** Stops watching, stops Caddy gracefully, and sends a last report. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        feed.close();
        applier.shutdownNow();
        try {
            applier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        supervisor.close();
        Thread t;
        lock.lock();
        try {
            t = reportLoop;
            dirtySignal.signalAll();
        } finally {
            lock.unlock();
        }
        if (t != null) {
            t.interrupt();
        }
        sendReport();
        telemetry.close();
    }
}
