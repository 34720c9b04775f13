package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Instant;
import java.util.function.Function;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin API under {@code /admin/api}, one service per surface: login and session ({@link AdminLoginService}),
 * config ({@link AdminConfigService}), client keys ({@link AdminKeysService}), upstream verification, runtime, stats
 * and logs ({@link AdminRuntimeService}), TLS ({@link AdminTlsService}); anything else is 404. Authentication, CSRF
 * and the address allow-list are enforced by {@link AdminSecurityFilter} before any handler here runs.
 */
public final class AdminService implements HttpService {
    private final AdminSurface[] surfaces;

    /**
     * Everything the admin API uses.
     *
     * @param access        the config holder and store
     * @param authenticator admin credentials
     * @param sessions      cookie sessions
     * @param throttle      login backoff
     * @param stats         request statistics
     * @param logs          the log ring buffer
     * @param tls           the last TLS report
     * @param verifier      upstream checks
     * @param preview       Caddyfile preview renderer
     * @param keys          key generator
     * @param env           environment lookup (secret references, {@code CADDY_MANAGER_TOKEN} presence)
     * @param clock         time source
     * @param startedAt     when the process started
     * @param appVersion    the gateway's version
     */
    public record Parts(AdminConfigAccess access, AdminAuthenticator authenticator, SessionStore sessions,
                        LoginThrottle throttle, UsageStats stats, LogBuffer logs, TlsReportHolder tls,
                        UpstreamVerifier verifier, CaddyfilePreview preview, ClientKeys keys,
                        Function<String, String> env, Clock clock, Instant startedAt, String appVersion) {
    }


    /**
     * @param parts the components
     */
    public AdminService(Parts parts) {
        this.surfaces = new AdminSurface[] {new AdminLoginService(parts), new AdminConfigService(parts),
                new AdminKeysService(parts), new AdminRuntimeService(parts), new AdminTlsService(parts)};
    }

    @Override
    public void routing(HttpRules rules) {
        for (AdminSurface s : surfaces) {
            s.routing(rules);
        }
        rules.any(this::notFound);
    }

    private void notFound(ServerRequest req, ServerResponse res) {
        throw AdminSurface.error(404, "not_found", "no admin API route " + req.prologue().method().text() + " "
                + req.path().path());
    }
}
