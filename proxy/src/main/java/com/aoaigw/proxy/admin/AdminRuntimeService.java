package com.aoaigw.proxy.admin;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.StoreStatus;
import com.aoaigw.config.Upstream;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The admin API's upstream verification, runtime, stats and logs, under {@code /admin/api}. */
final class AdminRuntimeService extends AdminSurface {
    /** @param parts everything the admin API uses */
    AdminRuntimeService(AdminService.Parts parts) {
        super(parts);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/upstreams/{name}/verify", this::verify)
                .get("/runtime", this::runtime)
                .get("/stats", this::stats)
                .get("/logs", this::logs);
    }

    private void verify(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        GatewayConfig c = parts.access().current().config();
        Optional<Upstream> u = c.upstream(name);
        if (u.isEmpty()) {
            throw error(404, "upstream_not_found", "no upstream named '" + name + "'");
        }
        UpstreamVerifier.Result r = parts.verifier().verify(c, u.get());
        if (!r.ok()) {
            event(System.Logger.Level.WARNING, "admin.verify_failed", "upstream", name, "error", r.error());
        }
        ObjectNode out = mapper.valueToTree(r);
        out.put("upstream", name);
        json(res, 200, out);
    }

    private void runtime(ServerRequest req, ServerResponse res) {
        ConfigSnapshot s = parts.access().current();
        Instant now = parts.clock().instant();
        ObjectNode out = mapper.createObjectNode();
        ObjectNode v = out.putObject("versions");
        v.put("app", parts.appVersion());
        v.put("helidon", io.helidon.common.Version.VERSION);
        v.put("java", Runtime.version().toString());
        out.put("startedAt", parts.startedAt().toString());
        out.put("uptimeSeconds", Duration.between(parts.startedAt(), now).toSeconds());
        StoreStatus st;
        try {
            st = parts.access().store().status();
        } catch (RuntimeException e) {
            st = new StoreStatus("unknown", "error", e.getMessage(), false, null, null);
        }
        out.set("persistence", mapper.valueToTree(st));
        ObjectNode cfg = out.putObject("config");
        cfg.put("etag", s.etag());
        cfg.put("loadedAt", s.loadedAt().toString());
        cfg.set("warnings", AdminErrors.problems(mapper, s.warnings()));
        parts.access().lastRejected().ifPresentOrElse(r -> {
            ObjectNode rj = cfg.putObject("lastRejected");
            rj.put("etag", r.etag());
            rj.put("at", r.at().toString());
            rj.set("problems", AdminErrors.problems(mapper, r.problems()));
        }, () -> cfg.putNull("lastRejected"));
        ArrayNode refs = out.putArray("secretReferences");
        for (com.aoaigw.config.SecretRefs.SecretRef r : com.aoaigw.config.SecretRefs.list(s.config())) {
            refs.addObject().put("path", r.path()).put("env", r.variable()).put("set", r.set());
        }
        String token = parts.env().apply(CaddyReportService.TOKEN_ENV);
        out.put("caddyManagerTokenSet", token != null && !token.isEmpty());
        out.put("adminAuth", parts.authenticator().open() ? "off (loopback only)" : "required");
        json(res, 200, out);
    }

    private void stats(ServerRequest req, ServerResponse res) {
        String w = req.query().first("window").orElse("5m");
        UsageStats.Window window = UsageStats.Window.parse(w);
        if (window == null) {
            throw error(400, "invalid_window", "window must be 1m, 5m, 1h, 24h, 7d, 30d or all");
        }
        ObjectNode out = mapper.valueToTree(parts.stats().report(window));
        out.put("startedAt", parts.stats().startedAt().toString());
        json(res, 200, out);
    }

    private void logs(ServerRequest req, ServerResponse res) {
        Set<String> levels = new HashSet<>();
        for (String l : req.query().all("level", List::of)) {
            Arrays.stream(l.split(",")).map(x -> x.trim().toLowerCase(Locale.ROOT)).filter(x -> !x.isEmpty())
                    .map(x -> x.equals("warning") ? "warn" : x).forEach(levels::add);
        }
        Instant since = null;
        Optional<String> sinceRaw = req.query().first("since").asOptional();
        if (sinceRaw.isPresent() && !sinceRaw.get().isBlank()) {
            try {
                since = Instant.parse(sinceRaw.get().trim());
            } catch (DateTimeParseException e) {
                throw error(400, "invalid_since", "since must be an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z");
            }
        }
        int limit;
        long after;
        try {
            limit = Math.max(1, Math.min(1000, Integer.parseInt(req.query().first("limit").orElse("100"))));
            after = Math.max(0, Long.parseLong(req.query().first("after").orElse("0")));
        } catch (NumberFormatException e) {
            throw error(400, "invalid_number", "limit and after must be numbers");
        }
        LogBuffer.Query q = new LogBuffer.Query(levels, req.query().first("text").orElse(null),
                req.query().first("requestId").orElse(null), req.query().first("model").orElse(null),
                req.query().first("key").orElse(null), req.query().first("status").orElse(null), since, after, limit);
        LogBuffer.Result r = parts.logs().query(q);
        ObjectNode out = mapper.createObjectNode();
        out.put("total", r.total());
        out.put("limit", limit);
        out.put("lastId", r.lastId());
        out.put("capacity", parts.logs().capacity());
        out.set("items", mapper.valueToTree(r.items()));
        json(res, 200, out);
    }
}
