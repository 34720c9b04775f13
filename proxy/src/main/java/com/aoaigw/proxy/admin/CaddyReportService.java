package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

import com.aoaigw.config.TlsReport;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code POST /internal/caddy/report}: caddy-manager's TLS and process report. Authenticated only by
 * {@code Authorization: Bearer ${CADDY_MANAGER_TOKEN}}, compared in constant time; when the token is not set the
 * endpoint refuses everything. Client keys and admin sessions never work here.
 */
public final class CaddyReportService implements HttpService {
    /** The environment variable holding the shared token. */
    public static final String TOKEN_ENV = "CADDY_MANAGER_TOKEN";
    /** The path this service is registered at. */
    public static final String PATH = "/internal/caddy";
    private static final System.Logger LOG = System.getLogger(CaddyReportService.class.getName());
    private static final int MAX_BODY = 1024 * 1024;

    private final TlsReportHolder holder;
    private final Function<String, String> env;
    private final Clock clock;
    private final ObjectMapper mapper = AdminJson.mapper();

    /**
     * @param holder where reports go
     * @param env    environment lookup for the token (read per request, so a rotated token applies)
     * @param clock  time source
     */
    public CaddyReportService(TlsReportHolder holder, Function<String, String> env, Clock clock) {
        this.holder = holder;
        this.env = env;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/report", this::report)
                .any("/report", (req, res) -> {
                    throw AdminException.of(405, "method_not_allowed", "use POST");
                });
    }

    private void report(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        String token = env.apply(TOKEN_ENV);
        if (token == null || token.isBlank()) {
            throw AdminException.of(403, "not_configured",
                    "CADDY_MANAGER_TOKEN is not set; the internal report endpoint is disabled");
        }
        Optional<String> authz = req.headers().first(HeaderNames.AUTHORIZATION);
        String given = authz.filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7)).map(a -> a.substring(7).trim())
                .orElse("");
        if (!MessageDigest.isEqual(AdminAuthenticator.sha256(given), AdminAuthenticator.sha256(token.trim()))) {
            throw AdminException.of(401, "unauthorized", "a valid caddy-manager token is required");
        }
        TlsReport report;
        try {
            byte[] body = BoundedBody.read(req, res, MAX_BODY);
            report = mapper.readValue(body, TlsReport.class);
        } catch (BoundedBody.TooLarge e) {
            throw AdminException.of(413, "body_too_large", "the report is too large");
        } catch (IOException | RuntimeException e) {
            throw AdminException.of(400, "invalid_report", "the body is not a TLS report");
        }
        if (report == null || report.reportedAt() == null) {
            throw AdminException.of(400, "invalid_report", "the report needs reportedAt");
        }
        holder.set(report, clock.instant());
        LOG.log(System.Logger.Level.DEBUG, "TLS report received");
        res.status(204).send();
    }
}
