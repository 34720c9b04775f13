package com.aoaigw.sim;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * Token endpoints: the Entra client-credentials endpoint ({@code POST /{tenant}/oauth2/v2.0/token}, served on the
 * HTTPS socket) and the managed-identity endpoints (App Service style and IMDS style, on the plain data-plane
 * socket). Every token it issues is accepted as a bearer by the data plane until it expires.
 */
final class IdentityService {
    private static final System.Logger LOG = System.getLogger(IdentityService.class.getName());
    static final String MSI_PATH = "/msi/token";
    static final String IMDS_PATH = "/metadata/identity/oauth2/token";

    private final Supplier<SimSettings> settings;
    private final TokenIssuer tokens;
    private final RequestRecorder recorder;
    private final ObjectMapper mapper;
    private final String identityHeader;

    IdentityService(Supplier<SimSettings> settings, TokenIssuer tokens, RequestRecorder recorder,
                    ObjectMapper mapper, String identityHeader) {
        this.settings = settings;
        this.tokens = tokens;
        this.recorder = recorder;
        this.mapper = mapper;
        this.identityHeader = identityHeader;
    }

    /** @return the routes of the HTTPS authority socket */
    HttpService authority() {
        return rules -> rules
                .post("/{tenant}/oauth2/v2.0/token", this::clientCredentials)
                .get("/{tenant}/v2.0/.well-known/openid-configuration", this::openIdConfiguration)
                .get("/common/discovery/instance", this::instanceDiscovery)
                .any((req, res) -> {
                    LOG.log(System.Logger.Level.INFO, "unexpected request to the fake authority: {0} {1}",
                            req.prologue().method().text(), req.path().rawPath());
                    recordToken(req, new String(readBody(req), StandardCharsets.UTF_8));
                    oauthError(res, Status.NOT_FOUND_404, "invalid_request",
                            "foundry-sim: no such authority endpoint " + req.path().absolute().rawPath());
                });
    }

    /** @return the managed-identity routes of the data-plane socket */
    HttpService managedIdentity() {
        return (HttpRules rules) -> rules
                .get(MSI_PATH, this::appService)
                .get(IMDS_PATH, this::imds)
                .get("/" + IMDS_PATH, this::imds);
    }

    private void clientCredentials(ServerRequest req, ServerResponse res) {
        byte[] body = readBody(req);
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
        recordToken(req, redact(form));
        SimSettings s = settings.get();
        String tenant = req.path().pathParameters().get("tenant");
        if (!tenant.equals(s.tenantId())) {
            oauthError(res, Status.BAD_REQUEST_400, "invalid_tenant",
                    "AADSTS90002: Tenant '" + tenant + "' not found.");
            return;
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            oauthError(res, Status.BAD_REQUEST_400, "unsupported_grant_type",
                    "AADSTS70003: The app requested an unsupported grant type '" + form.get("grant_type") + "'.");
            return;
        }
        if (!s.clientId().equals(form.get("client_id"))) {
            oauthError(res, Status.BAD_REQUEST_400, "unauthorized_client",
                    "AADSTS700016: Application with identifier '" + form.get("client_id")
                            + "' was not found in the directory.");
            return;
        }
        if (!s.clientSecret().equals(form.get("client_secret"))) {
            oauthError(res, Status.UNAUTHORIZED_401, "invalid_client",
                    "AADSTS7000215: Invalid client secret provided.");
            return;
        }
        long life = s.tokenLifetimeSeconds();
        ObjectNode r = mapper.createObjectNode();
        r.put("token_type", "Bearer");
        r.put("expires_in", life);
        r.put("ext_expires_in", life);
        r.put("access_token", tokens.issue(life));
        send(res, Status.OK_200, r);
    }

    private void appService(ServerRequest req, ServerResponse res) {
        recordToken(req, "");
        String header = req.headers().first(HeaderNames.create("X-IDENTITY-HEADER")).orElse("");
        if (!header.equals(identityHeader)) {
            ObjectNode r = mapper.createObjectNode();
            r.put("statusCode", 401);
            r.put("message", "X-IDENTITY-HEADER is missing or wrong.");
            send(res, Status.UNAUTHORIZED_401, r);
            return;
        }
        managedToken(req, res, false);
    }

    private void imds(ServerRequest req, ServerResponse res) {
        recordToken(req, "");
        if (!"true".equalsIgnoreCase(req.headers().first(HeaderNames.create("Metadata")).orElse(""))) {
            oauthError(res, Status.BAD_REQUEST_400, "invalid_request", "Required metadata header not specified");
            return;
        }
        managedToken(req, res, true);
    }

    private void managedToken(ServerRequest req, ServerResponse res, boolean imds) {
        String resource = req.query().first("resource").orElse("");
        if (resource.isEmpty()) {
            oauthError(res, Status.BAD_REQUEST_400, "invalid_request", "Required query variable 'resource' is "
                    + "missing.");
            return;
        }
        long life = settings.get().tokenLifetimeSeconds();
        long now = tokens.now().getEpochSecond();
        ObjectNode r = mapper.createObjectNode();
        r.put("access_token", tokens.issue(life));
        r.put("expires_on", Long.toString(now + life));
        if (imds) {
            r.put("expires_in", Long.toString(life));
            r.put("ext_expires_in", Long.toString(life));
            r.put("not_before", Long.toString(now));
        }
        r.put("resource", resource);
        r.put("token_type", "Bearer");
        r.put("client_id", req.query().first("client_id").orElse("sim-managed-identity"));
        send(res, Status.OK_200, r);
    }

    private void openIdConfiguration(ServerRequest req, ServerResponse res) {
        recordToken(req, "");
        String tenant = req.path().pathParameters().get("tenant");
        String base = "https://" + req.authority() + "/" + tenant;
        ObjectNode r = mapper.createObjectNode();
        r.put("token_endpoint", base + "/oauth2/v2.0/token");
        r.put("authorization_endpoint", base + "/oauth2/v2.0/authorize");
        r.put("issuer", base + "/v2.0");
        r.put("tenant_region_scope", "sim");
        send(res, Status.OK_200, r);
    }

    private void instanceDiscovery(ServerRequest req, ServerResponse res) {
        recordToken(req, "");
        ObjectNode r = mapper.createObjectNode();
        r.put("tenant_discovery_endpoint", "https://" + req.authority() + "/" + settings.get().tenantId()
                + "/v2.0/.well-known/openid-configuration");
        r.put("api-version", "1.1");
        ObjectNode m = r.putArray("metadata").addObject();
        m.put("preferred_network", req.authority());
        m.put("preferred_cache", req.authority());
        m.putArray("aliases").add(req.authority());
        send(res, Status.OK_200, r);
    }

    private void recordToken(ServerRequest req, String body) {
        recorder.token(RequestRecorder.capture(req, body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The form with the client secret masked, for the recorder. */
    private static String redact(Map<String, String> form) {
        StringBuilder sb = new StringBuilder();
        for (var e : form.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(e.getKey()).append('=')
                    .append(e.getKey().equals("client_secret") ? "***" : e.getValue());
        }
        return sb.toString();
    }

    static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

    private void oauthError(ServerResponse res, Status status, String error, String description) {
        ObjectNode r = mapper.createObjectNode();
        r.put("error", error);
        r.put("error_description", description);
        r.putArray("error_codes");
        r.put("timestamp", tokens.now().toString());
        send(res, status, r);
    }

    private void send(ServerResponse res, Status status, ObjectNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        try {
            res.send(mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    private static byte[] readBody(ServerRequest req) {
        return req.content().hasEntity() ? req.content().as(byte[].class) : new byte[0];
    }
}
