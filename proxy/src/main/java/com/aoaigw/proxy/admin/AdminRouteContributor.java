package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Instant;

import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStores;
import com.aoaigw.proxy.Components;
import com.aoaigw.proxy.ConfigSnapshot;
import com.aoaigw.proxy.ProcessSettings;
import com.aoaigw.proxy.RouteContributor;
import com.aoaigw.proxy.observe.ExchangeLog;

import io.helidon.webserver.http.HttpRouting;

/**
 * Adds the admin area to the proxy (found by {@link java.util.ServiceLoader}): opens the config store named by the
 * process settings, wraps the data plane's config holder, feeds the admin statistics from the request recorder,
 * and registers {@link AdminFeature}.
 */
public final class AdminRouteContributor implements RouteContributor {
    @Override
    public void register(HttpRouting.Builder routing, Components c) {
        ProcessSettings settings = c.settings();
        // one store per process: the one the data plane follows, else (a holder fed otherwise) our own
        ConfigStore shared = c.config().store();
        ConfigStore store = shared != null ? shared : ConfigStores.create(settings.store());
        Clock clock = Clock.systemUTC();
        HolderConfigAccess access = new HolderConfigAccess(c.config(), store, c.loader(), clock);
        AdminFeature.Options defaults = AdminFeature.Options.defaults(access, () -> {
            if (settings.host() != null) {
                return settings.host();
            }
            ConfigSnapshot s = c.config().current();
            return s == null ? "0.0.0.0" : s.config().server().host();
        });
        AdminFeature.Options options = new AdminFeature.Options(access, k -> switch (k) {
            case CaddyReportService.TOKEN_ENV -> settings.caddyManagerToken().reveal();
            case "ADMIN_LOG_BUFFER_SIZE" -> String.valueOf(settings.adminLogBufferSize());
            default -> System.getenv(k);
        }, defaults.listenHost(), clock, new HttpUpstreamVerifier(auth -> freshCredential(c, auth)), defaults.preview(),
                defaults.throttle(),
                defaults.stdout(), defaults.appVersion(), true);
        AdminFeature admin = AdminFeature.create(options, shared != null ? null : store);
        c.recorder().subscribe((e, latencyMs) -> {
            if (clientApi(e.path())) {
                admin.stats().accept(record(e, latencyMs, clock.instant()));
            }
        });
        // the playground answers under /admin/api (behind the admin filter) with the data plane's own forwarder
        com.aoaigw.proxy.api.Forwarder forwarder = new com.aoaigw.proxy.api.Forwarder(c);
        routing.register("/admin/api", new PlaygroundService(() -> {
            ConfigSnapshot s = c.config().current();
            return s == null ? null : s.config();
        }, (req, res, route) -> forwarder.forward(req, res, route, null)));
        routing.addFeature(admin);
    }

    /**
     * A credential from the data plane's token cache (same builders, same authority handling); a cached token is
     * dropped first, so a verify proves the credentials still work now.
     */
    private static HttpUpstreamVerifier.Credential freshCredential(Components c, com.aoaigw.config.UpstreamAuth auth) {
        com.aoaigw.proxy.upstream.CredentialCache.AuthHeader h = c.credentials().authorize(auth);
        if (h.token() != null) {
            c.credentials().invalidate(h);
            h = c.credentials().authorize(auth);
        }
        return new HttpUpstreamVerifier.Credential(h.name(), h.value(),
                h.token() == null ? null : h.token().getExpiresAt().toInstant());
    }

    private static boolean clientApi(String path) {
        return path != null && (path.equals("/v1") || path.startsWith("/v1/") || path.startsWith("/openai/")
                || path.startsWith("/admin/api/playground/"));
    }

    static RequestRecord record(ExchangeLog e, long latencyMs, Instant at) {
        return new RequestRecord(at, e.model(), e.keyId(), e.upstream(), e.status(), e.errorCode(),
                e.usage().promptTokens(), e.usage().completionTokens(), e.usage().cachedTokens(), latencyMs, e.ttftMs());
    }
}
