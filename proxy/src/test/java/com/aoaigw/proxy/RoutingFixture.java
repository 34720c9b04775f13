package com.aoaigw.proxy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.FileConfigStore;
import com.aoaigw.proxy.admin.AdminFeature;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.limit.Limits;
import com.aoaigw.proxy.observe.AccessLog;
import com.aoaigw.proxy.observe.ProxyMetrics;
import com.aoaigw.proxy.observe.RequestRecorder;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.upstream.CredentialCache;
import com.aoaigw.proxy.upstream.UpstreamClient;
import com.aoaigw.proxy.upstream.Watchdog;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.metrics.api.Metrics;
import io.helidon.webserver.http.HttpRouting;

/**
 * {@link ProxyServer#routing} set up for a Helidon {@code @SetUpRoute} method: a config file in a temporary
 * directory (one client key {@code client-key}, model {@code m1} on deployment {@code dep-1}), the real parts, and the
 * given upstream client (a fake) instead of the HTTP one.
 */
final class RoutingFixture implements AutoCloseable {
    final Path dir;
    final AdminFeature admin;
    private final FileConfigStore store;
    private final Watchdog watchdog;
    private final Limits limits;

    RoutingFixture(HttpRouting.Builder routing, UpstreamClient upstream) throws IOException {
        dir = Files.createTempDirectory("proxy-routing-test");
        Path cfg = dir.resolve("config.json");
        Files.writeString(cfg, """
                {"auth":{"mode":"apiKey","apiKey":"azure-key"},
                 "apiKeys":[{"id":"k1","key":"client-key"}],
                 "upstreams":[{"name":"u","baseUrl":"http://127.0.0.1:9"}],
                 "models":[{"id":"m1","upstream":"u","targetModel":"dep-1"}]}
                """);
        ProcessSettings settings = ProcessSettings.forTest(cfg);
        ConfigHolder holder = new ConfigHolder(new ConfigLoader());
        store = new FileConfigStore(cfg, Duration.ofSeconds(1));
        holder.follow(store);
        ObjectMapper mapper = new ObjectMapper();
        ErrorRenderer errors = new ErrorRenderer(mapper.getFactory());
        RequestRecorder recorder = new RequestRecorder(new AccessLog(), new ProxyMetrics(Metrics.globalRegistry()));
        limits = new Limits(System::currentTimeMillis);
        watchdog = new Watchdog();
        Pools pools = Pools.local();
        admin = ProxyServer.admin(settings, holder, store, new CredentialCache(), recorder, Clock.systemUTC());
        ProxyServer.routing(routing, new ProxyServer.Parts(holder, mapper, errors, recorder,
                ProxyServer.forwarder(settings, mapper, errors, new ModelRouter(), upstream, pools, watchdog, limits),
                admin, limits, pools));
    }

    @Override
    public void close() throws IOException {
        admin.close();
        watchdog.close();
        limits.close();
        store.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
