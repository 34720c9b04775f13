package com.aoaigw.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.helidon.common.tls.Tls;
import io.helidon.webserver.WebServer;

/**
 * A local simulator of Azure OpenAI / Azure AI Foundry: the data plane (v1 and classic paths), a fake Entra
 * authority over HTTPS, managed-identity endpoints, latency and fault injection, and a recorder of what it
 * received. Start one per test (or per process) with {@link #start(SimSettings)}; it listens on 127.0.0.1 only.
 *
 * <p>The data-plane socket also serves {@code /_sim/...} (recorded requests, counters, token revocation, run-time
 * settings) and the managed-identity endpoints; the authority socket serves
 * {@code POST /{tenant}/oauth2/v2.0/token}.
 */
public final class FoundrySim implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FoundrySim.class.getName());
    /** The models listed by {@code GET /openai/v1/models} when no deployments are configured. */
    static final List<String> DEFAULT_MODELS = List.of("gpt-4o-mini", "gpt-4.1-nano", "gpt-5-mini", "o4-mini",
            "text-embedding-3-small", "gpt-image-1");

    private final WebServer server;
    private final Path dir;
    private final SelfSignedCertificate cert;
    private final String identityHeader;
    private final RequestRecorder recorder;
    private final RequestOptions.FaultCounts faultCounts;
    private final CapacityMeter capacity;
    private final TokenIssuer tokens;
    private final AtomicReference<SimSettings> settings;

    private FoundrySim(WebServer server, Path dir, SelfSignedCertificate cert, String identityHeader,
                       RequestRecorder recorder, RequestOptions.FaultCounts faultCounts, CapacityMeter capacity,
                       TokenIssuer tokens, AtomicReference<SimSettings> settings) {
        this.capacity = capacity;
        this.server = server;
        this.dir = dir;
        this.cert = cert;
        this.identityHeader = identityHeader;
        this.recorder = recorder;
        this.faultCounts = faultCounts;
        this.tokens = tokens;
        this.settings = settings;
    }

    /**
     * Starts a simulator on 127.0.0.1.
     *
     * @param settings what to accept and how to behave
     * @return the running simulator
     */
    public static FoundrySim start(SimSettings settings) {
        return start(settings, Clock.systemUTC());
    }

    /**
     * Starts a simulator on 127.0.0.1 whose issued tokens live on the given clock, so a test can let a token expire
     * by moving its clock instead of sleeping.
     *
     * @param settings what to accept and how to behave
     * @param clock    the time source of token issue and expiry
     * @return the running simulator
     */
    public static FoundrySim start(SimSettings settings, Clock clock) {
        Path dir;
        try {
            dir = Files.createTempDirectory("foundry-sim-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the simulator's temporary directory", e);
        }
        SelfSignedCertificate cert = SelfSignedCertificate.generate(dir);
        String identityHeader = settings.identityHeader() != null ? settings.identityHeader() : randomHex(16);
        AtomicReference<SimSettings> current = new AtomicReference<>(settings);
        // Raw UTF-8 for characters outside the BMP (emoji), as Azure sends them, instead of escaped surrogate pairs.
        ObjectMapper mapper = JsonMapper.builder()
                .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                .build();
        RequestRecorder recorder = new RequestRecorder();
        RequestOptions.FaultCounts faultCounts = new RequestOptions.FaultCounts();
        CapacityMeter capacity = new CapacityMeter();
        TokenIssuer tokens = new TokenIssuer(clock);
        RenderCache cache = new RenderCache();
        DataPlaneService dataPlane = new DataPlaneService(current::get, recorder, tokens, faultCounts, capacity, mapper, cache);
        IdentityService identity = new IdentityService(current::get, tokens, recorder, mapper, identityHeader);
        ControlService control = new ControlService(current, recorder, tokens, faultCounts, capacity, cache, mapper);
        Tls tls = Tls.builder()
                .privateKey(cert.privateKey())
                .privateKeyCertChain(cert.chain())
                .build();
        WebServer server;
        try {
            server = WebServer.builder()
                    .featuresDiscoverServices(false)
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .host("127.0.0.1")
                    .port(settings.port())
                    .routing(r -> r.addFilter(new NoBodyForHead())
                            .register("/openai", dataPlane)
                            .register("/_sim", control)
                            .register(identity.managedIdentity()))
                    .putSocket("authority", s -> s.host("127.0.0.1")
                            .port(settings.tokenPort())
                            .tls(tls)
                            .routing(r -> r.addFilter(new NoBodyForHead()).register(identity.authority())))
                    .build()
                    .start();
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
        FoundrySim sim = new FoundrySim(server, dir, cert, identityHeader, recorder, faultCounts, capacity, tokens, current);
        LOG.log(System.Logger.Level.INFO, "foundry-sim started on port {0,number,#}, authority on port {1,number,#}",
                sim.port(), sim.tokenPort());
        return sim;
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** @return the data-plane port */
    public int port() {
        return server.port();
    }

    /** @return {@code http://127.0.0.1:PORT}, the resource endpoint (append {@code /openai/v1} for v1 clients) */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** @return the HTTPS port of the fake Entra authority */
    public int tokenPort() {
        return server.port("authority");
    }

    /** @return {@code https://127.0.0.1:TOKENPORT}, the authority host for {@code ClientSecretCredential} */
    public String authorityUrl() {
        return "https://127.0.0.1:" + tokenPort();
    }

    /** @return a PKCS12 trust store holding the authority's self-signed certificate */
    public Path trustStore() {
        return cert.trustStore();
    }

    /** @return the password of {@link #trustStore()} */
    public String trustStorePassword() {
        return cert.password();
    }

    /** @return the App Service style managed-identity endpoint ({@code IDENTITY_ENDPOINT}), plain http */
    public String managedIdentityEndpoint() {
        return baseUrl() + IdentityService.MSI_PATH;
    }

    /** @return the value the managed-identity endpoint expects in {@code X-IDENTITY-HEADER} ({@code IDENTITY_HEADER}) */
    public String identityHeader() {
        return identityHeader;
    }

    /** @return the settings in force (they can change at run time through {@code POST /_sim/config}) */
    public SimSettings settings() {
        return settings.get();
    }

    /** @return the newest data-plane requests, oldest first (at most 1000) */
    public List<RecordedRequest> requests() {
        return recorder.requests();
    }

    /** @return the newest token-endpoint requests (Entra and managed identity), client secrets masked */
    public List<RecordedRequest> tokenRequests() {
        return recorder.tokenRequests();
    }

    /** @return the counters */
    public SimStats stats() {
        return recorder.stats();
    }

    /** Forgets recorded requests, counters, {@code x-sim-fault-count} counts and capacity windows. */
    public void clearRequests() {
        recorder.clear();
        faultCounts.clear();
        capacity.clear();
    }

    /** Makes every issued access token invalid (the data plane then answers 401 to them). */
    public void revokeTokens() {
        tokens.revokeAll();
    }

    /** Stops both sockets and deletes the certificate files. */
    public void stop() {
        server.stop();
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + dir, e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
