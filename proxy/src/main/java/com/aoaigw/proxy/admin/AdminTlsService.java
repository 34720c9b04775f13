package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.config.caddy.CaddyfileRenderException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The admin API's the TLS report and the Caddyfile preview, under {@code /admin/api}. */
final class AdminTlsService extends AdminSurface {
    /** A TLS report older than this is stale (caddy-manager reports every 30 s). */
    static final Duration STALE_AFTER = Duration.ofSeconds(90);

    /** @param parts everything the admin API uses */
    AdminTlsService(AdminService.Parts parts) {
        super(parts);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/tls", this::tls)
                .post("/tls/preview", this::tlsPreview);
    }

    private void tls(ServerRequest req, ServerResponse res) {
        Instant now = parts.clock().instant();
        ObjectNode out = mapper.createObjectNode();
        Optional<TlsReportHolder.Received> last = parts.tls().last();
        if (last.isPresent()) {
            Duration age = Duration.between(last.get().receivedAt(), now);
            out.set("report", mapper.valueToTree(last.get().report()));
            out.put("receivedAt", last.get().receivedAt().toString());
            out.put("ageSeconds", age.toSeconds());
            boolean stale = age.compareTo(STALE_AFTER) > 0;
            out.put("stale", stale);
            if (stale) {
                out.put("message", "caddy-manager not reporting (last report " + age.toSeconds() + " s ago)");
            }
        } else {
            out.putNull("report");
            out.put("stale", true);
            out.put("message", "caddy-manager not reporting (no report received since the proxy started)");
        }
        out.set("settings", mapper.valueToTree(parts.access().current().config().server().caddy()));
        json(res, 200, out);
    }

    private void tlsPreview(ServerRequest req, ServerResponse res) {
        JsonNode body = objectBody(req, res);
        ConfigStore.Versioned stored = read();
        JsonNode storedDoc = parseStored(stored);
        ObjectNode doc = storedDoc instanceof ObjectNode o ? o : mapper.createObjectNode();
        ObjectNode server = doc.get("server") instanceof ObjectNode s ? s : doc.putObject("server");
        server.set("caddy", body);
        GatewayConfig candidate;
        List<ConfigProblem> problems;
        try {
            LoadedConfig loaded = loader.load(mapper.writeValueAsString(doc));
            candidate = loaded.config();
            problems = loaded.warnings();
        } catch (ConfigException e) {
            throw new AdminException.Invalid("the TLS settings have errors", e.problems());
        } catch (IOException e) {
            throw error(400, "invalid_json", "the settings cannot be serialised");
        }
        String caddyfile;
        try {
            caddyfile = parts.preview().render(candidate);
        } catch (CaddyfileRenderException e) {
            throw new AdminException.Invalid("the TLS settings cannot be rendered",
                    List.of(ConfigProblem.error("server.caddy", e.getMessage())));
        } catch (RuntimeException e) {
            throw new AdminException.Invalid("the TLS settings cannot be rendered: " + firstLine(e.getMessage()),
                    List.of());
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("caddyfile", caddyfile);
        out.set("warnings", AdminErrors.problems(mapper, problems));
        json(res, 200, out);
    }
}
