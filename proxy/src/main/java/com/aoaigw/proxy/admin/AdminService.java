package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.ConfigConflictException;
import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.config.StoreStatus;
import com.aoaigw.config.Upstream;
import com.aoaigw.config.caddy.CaddyfileRenderException;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin API under {@code /admin/api}: login and session, config (masked read, conditional save, validate,
 * diff, reload), client keys, upstream verification, runtime, stats, logs and TLS. Authentication, CSRF and the
 * address allow-list are enforced by {@link AdminSecurityFilter} before any handler here runs.
 */
public final class AdminService implements HttpService {
    private static final System.Logger LOG = System.getLogger(AdminService.class.getName());
    private static final HeaderName IF_MATCH = HeaderNames.IF_MATCH;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_BODY = 2 * 1024 * 1024;
    private static final int WRITE_ATTEMPTS = 3;
    /** A TLS report older than this is stale (caddy-manager reports every 30 s). */
    static final Duration STALE_AFTER = Duration.ofSeconds(90);

    private final Parts parts;
    private final ObjectMapper mapper = AdminJson.mapper();
    private final ConfigLoader loader = new ConfigLoader();

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
        this.parts = parts;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/login", this::login)
                .post("/logout", this::logout)
                .get("/session", this::session)
                .get("/config", this::getConfig)
                .put("/config", this::putConfig)
                .post("/config/validate", this::validate)
                .post("/config/diff", this::diff)
                .post("/reload", this::reload)
                .get("/keys", this::listKeys)
                .post("/keys", this::createKey)
                .post("/keys/{id}/disable", (req, res) -> setStatus(req, res, "disabled"))
                .post("/keys/{id}/enable", (req, res) -> setStatus(req, res, "active"))
                .put("/keys/{id}/models", this::setModels)
                .delete("/keys/{id}", this::deleteKey)
                .post("/upstreams/{name}/verify", this::verify)
                .get("/runtime", this::runtime)
                .get("/stats", this::stats)
                .get("/logs", this::logs)
                .get("/tls", this::tls)
                .post("/tls/preview", this::tlsPreview)
                .any(this::notFound);
    }

    // ---- login and session -------------------------------------------------------------------------------

    private void login(ServerRequest req, ServerResponse res) {
        if (!req.headers().contentType().map(ct -> ct.mediaType().text().equals("application/json")).orElse(false)) {
            error(res, 415, "unsupported_media_type", "send the credentials as application/json");
            return;
        }
        JsonNode body = objectBody(req, res);
        if (body == null) {
            return;
        }
        String username = body.path("username").asText("");
        String password = body.path("password").asText("");
        String ip = AdminSecurityFilter.clientAddress(req).map(java.net.InetAddress::getHostAddress).orElse("unknown");
        String[] subjects = LoginThrottle.subjects(ip, username);
        Optional<Duration> wait = parts.throttle().acquire(subjects);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
            error(res, 429, "too_many_attempts", "too many failed admin logins; try again in " + seconds + " s");
            return;
        }
        parts.throttle().slowDown(username);
        if (!parts.authenticator().check(username, password)) {
            parts.throttle().userFailure(username);
            LOG.log(System.Logger.Level.WARNING, "admin login failed for user '" + safe(username) + "' from " + ip);
            error(res, 401, "invalid_credentials", "wrong user name or password");
            return;
        }
        parts.throttle().success(subjects);
        parts.throttle().userSuccess(username);
        SessionStore.Session s = parts.sessions().create(username);
        res.header(HeaderNames.SET_COOKIE, cookie(s.id(), AdminSecurityFilter.secure(req), 12 * 3600));
        LOG.log(System.Logger.Level.INFO, "admin login for user '" + safe(username) + "' from " + ip);
        ObjectNode out = mapper.createObjectNode();
        out.put("ok", true);
        out.put("username", username);
        out.put("csrfToken", s.csrfToken());
        json(res, 200, out);
    }

    private void logout(ServerRequest req, ServerResponse res) {
        principal(req).session().ifPresent(s -> parts.sessions().remove(s.id()));
        res.header(HeaderNames.SET_COOKIE, cookie("", AdminSecurityFilter.secure(req), 0));
        json(res, 200, mapper.createObjectNode().put("ok", true));
    }

    private void session(ServerRequest req, ServerResponse res) {
        AdminSecurityFilter.Principal p = principal(req);
        ObjectNode out = mapper.createObjectNode();
        out.put("authenticated", true);
        out.put("username", p.username());
        out.put("method", p.session().isPresent() ? "session" : parts.authenticator().open() ? "open" : "basic");
        p.session().ifPresent(s -> out.put("csrfToken", s.csrfToken()));
        json(res, 200, out);
    }

    private static String cookie(String value, boolean secure, long maxAge) {
        return AdminSecurityFilter.COOKIE + "=" + value + "; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=" + maxAge
                + (secure ? "; Secure" : "");
    }

    // ---- config ------------------------------------------------------------------------------------------

    private void getConfig(ServerRequest req, ServerResponse res) {
        ConfigStore.Versioned v = read(res);
        if (v == null) {
            return;
        }
        JsonNode doc = parseStored(v, res);
        if (doc == null) {
            return;
        }
        ConfigSnapshot current = parts.access().current();
        ObjectNode out = mapper.createObjectNode();
        out.put("etag", v.etag());
        out.put("inEffectEtag", current.etag());
        out.set("config", SecretMasker.mask(doc));
        List<ConfigProblem> problems;
        try {
            problems = loader.load(v.json()).warnings();
        } catch (ConfigException e) {
            problems = e.problems();
            out.put("refused", true);
        }
        out.set("warnings", AdminErrors.problems(mapper, problems));
        res.header(HeaderNames.ETAG, quote(v.etag()));
        json(res, 200, out);
    }

    private void putConfig(ServerRequest req, ServerResponse res) {
        Optional<String> ifMatch = req.headers().first(IF_MATCH).map(AdminService::unquote);
        if (ifMatch.isEmpty() || ifMatch.get().isBlank()) {
            error(res, 428, "if_match_required",
                    "send If-Match with the etag of the config you edited (from GET /admin/api/config)");
            return;
        }
        JsonNode candidate = objectBody(req, res);
        if (candidate == null) {
            return;
        }
        ConfigStore.Versioned stored = read(res);
        if (stored == null) {
            return;
        }
        if (!unquote(stored.etag()).equals(ifMatch.get())) {
            conflict(res, stored);
            return;
        }
        JsonNode storedDoc = parseStored(stored, res);
        if (storedDoc == null) {
            return;
        }
        Prepared p = prepare(candidate, storedDoc, res);
        if (p == null) {
            return;
        }
        com.aoaigw.config.AdminAuth before = parts.access().current().config().server().adminAuth();
        String etag;
        try {
            etag = parts.access().store().write(p.json(), stored.etag());
        } catch (ConfigConflictException e) {
            conflict(res, e.current());
            return;
        } catch (ConfigStoreException e) {
            LOG.log(System.Logger.Level.ERROR, "config save failed: " + e.getMessage());
            error(res, 503, "store_failed", "the config could not be stored: " + e.getMessage());
            return;
        }
        parts.access().applied(etag, p.loaded());
        // new admin credentials end every session, including the one that made the change
        boolean relogin = !before.equals(p.loaded().config().server().adminAuth());
        if (relogin) {
            parts.sessions().clear();
        }
        event(System.Logger.Level.INFO, "admin.config_saved", "etag", etag, "user", principal(req).username());
        ObjectNode out = mapper.createObjectNode();
        out.put("ok", true);
        out.put("etag", etag);
        out.set("warnings", AdminErrors.problems(mapper, p.loaded().warnings()));
        out.set("config", SecretMasker.mask(p.doc().deepCopy()));
        StoreStatus st = parts.access().store().status();
        out.put("persistence", st.state());
        out.put("reloginRequired", relogin);
        res.header(HeaderNames.ETAG, quote(etag));
        json(res, 200, out);
    }

    /**
     * A document sent for a dry run, with the stored secrets put back where it still carries masks.
     *
     * @param doc       the document, unmasked
     * @param stored    the stored version it is compared with
     * @param storedDoc the stored document (empty object when it does not parse)
     * @param unmatched paths of masks with no stored secret behind them
     */
    private record Candidate(JsonNode doc, ConfigStore.Versioned stored, JsonNode storedDoc, List<String> unmatched) {
    }

    /** @return the candidate, or null when an error was already sent */
    private Candidate candidate(ServerRequest req, ServerResponse res) {
        JsonNode body = objectBody(req, res);
        if (body == null) {
            return null;
        }
        ConfigStore.Versioned stored = read(res);
        if (stored == null) {
            return null;
        }
        JsonNode storedDoc = parseStoredQuiet(stored);
        JsonNode copy = body.deepCopy();
        List<String> unmatched = SecretMasker.unmask(copy, storedDoc);
        return new Candidate(copy, stored, storedDoc, unmatched);
    }

    private void validate(ServerRequest req, ServerResponse res) {
        Candidate c = candidate(req, res);
        if (c == null) {
            return;
        }
        List<ConfigProblem> problems = new ArrayList<>();
        for (String path : c.unmatched()) {
            problems.add(ConfigProblem.error(path, "the value is masked but no stored secret matches it; enter the secret"));
        }
        if (problems.isEmpty()) {
            try {
                problems.addAll(loader.load(mapper.writeValueAsString(c.doc())).warnings());
            } catch (ConfigException e) {
                problems.addAll(e.problems());
            } catch (IOException e) {
                problems.add(ConfigProblem.error("$", "not valid JSON"));
            }
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("valid", problems.stream().noneMatch(p -> p.severity() == ConfigProblem.Severity.ERROR));
        out.set("details", AdminErrors.problems(mapper, problems));
        json(res, 200, out);
    }

    private void diff(ServerRequest req, ServerResponse res) {
        Candidate c = candidate(req, res);
        if (c == null) {
            return;
        }
        List<ConfigDiff.Change> changes = ConfigDiff.diff(c.storedDoc(), c.doc());
        ObjectNode out = mapper.createObjectNode();
        out.put("etag", c.stored().etag());
        out.put("count", changes.size());
        ArrayNode a = out.putArray("changes");
        for (ConfigDiff.Change change : changes) {
            ObjectNode n = a.addObject();
            n.put("path", change.path());
            n.put("kind", change.kind());
            n.set("old", change.oldValue());
            n.set("new", change.newValue());
        }
        json(res, 200, out);
    }

    private void reload(ServerRequest req, ServerResponse res) {
        try {
            ConfigSnapshot s = parts.access().reload();
            event(System.Logger.Level.INFO, "admin.config_reloaded", "etag", s.etag());
            ObjectNode out = mapper.createObjectNode();
            out.put("ok", true);
            out.put("etag", s.etag());
            out.set("warnings", AdminErrors.problems(mapper, s.warnings()));
            json(res, 200, out);
        } catch (ConfigException e) {
            AdminErrors.send(mapper, res, 422, "config_invalid",
                    "the stored config was refused; the last good config stays in effect", e.problems(), null);
        } catch (ConfigStoreException e) {
            error(res, 503, "store_failed", "the config could not be read: " + e.getMessage());
        }
    }

    private record Prepared(JsonNode doc, String json, LoadedConfig loaded) {
    }

    /** Unmasks and validates a candidate; sends the error and returns null when it is refused. */
    private Prepared prepare(JsonNode candidate, JsonNode storedDoc, ServerResponse res) {
        JsonNode doc = candidate.deepCopy();
        List<String> missing = SecretMasker.unmask(doc, storedDoc);
        if (!missing.isEmpty()) {
            AdminErrors.send(mapper, res, 422, "config_invalid", "masked secrets without a stored value",
                    missing.stream().map(p -> ConfigProblem.error(p,
                            "the value is masked but no stored secret matches it; enter the secret")).toList(), null);
            return null;
        }
        String json;
        try {
            json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
        } catch (IOException e) {
            error(res, 400, "invalid_json", "the config cannot be serialised");
            return null;
        }
        try {
            return new Prepared(doc, json, loader.load(json));
        } catch (ConfigException e) {
            AdminErrors.send(mapper, res, 422, "config_invalid", "the config has errors; nothing was saved",
                    e.problems(), null);
            return null;
        }
    }

    private void conflict(ServerResponse res, ConfigStore.Versioned current) {
        ObjectNode extra = mapper.createObjectNode();
        if (current != null) {
            extra.put("etag", current.etag());
            JsonNode doc = parseStoredQuiet(current);
            if (doc != null) {
                extra.set("config", SecretMasker.mask(doc));
            }
            res.header(HeaderNames.ETAG, quote(current.etag()));
        }
        AdminErrors.send(mapper, res, 409, "config_conflict",
                "the config was changed by someone else since you loaded it; review their version and retry",
                List.of(), extra);
    }

    // ---- keys --------------------------------------------------------------------------------------------

    private void listKeys(ServerRequest req, ServerResponse res) {
        GatewayConfig c = parts.access().current().config();
        ObjectNode out = mapper.createObjectNode();
        ArrayNode a = out.putArray("keys");
        for (ClientKey k : c.apiKeys()) {
            ObjectNode n = a.addObject();
            n.put("id", k.id());
            n.put("status", k.active() ? "active" : "disabled");
            n.set("models", mapper.valueToTree(k.models()));
            n.put("hashed", k.hashed());
            n.put("reference", k.key().isReference());
        }
        out.put("etag", parts.access().current().etag());
        json(res, 200, out);
    }

    private void createKey(ServerRequest req, ServerResponse res) {
        JsonNode body = objectBody(req, res);
        if (body == null) {
            return;
        }
        String id = body.path("id").asText("");
        if (!KEY_ID.matcher(id).matches()) {
            error(res, 400, "invalid_key_id", "id must be 1-64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit");
            return;
        }
        List<String> models = stringList(body.get("models"));
        if (models == null) {
            error(res, 400, "invalid_models", "models must be an array of model ids");
            return;
        }
        String key = parts.keys().generate();
        String etag = mutate(res, doc -> {
            ArrayNode keys = keysArray(doc);
            if (find(keys, id) >= 0) {
                return new Refusal(409, "key_exists", "a key with id '" + id + "' exists");
            }
            ObjectNode n = keys.addObject();
            n.put("id", id);
            n.put("key", ClientKeys.hashed(key));
            if (!models.isEmpty()) {
                n.set("models", mapper.valueToTree(models));
            }
            return null;
        });
        if (etag == null) {
            return;
        }
        event(System.Logger.Level.INFO, "admin.key_created", "keyId", id);
        ObjectNode out = mapper.createObjectNode();
        out.put("id", id);
        out.put("key", key);
        out.put("note", "shown once: the gateway stores only its SHA-256 hash");
        out.set("models", mapper.valueToTree(models));
        out.put("etag", etag);
        json(res, 201, out);
    }

    private void setStatus(ServerRequest req, ServerResponse res, String status) {
        String id = req.path().pathParameters().get("id");
        String etag = mutate(res, doc -> {
            ArrayNode keys = keysArray(doc);
            int i = find(keys, id);
            if (i < 0) {
                return new Refusal(404, "key_not_found", "no key with id '" + id + "'");
            }
            ObjectNode k = (ObjectNode) keys.get(i);
            if ("active".equals(status)) {
                k.remove("status");
            } else {
                k.put("status", status);
            }
            return null;
        });
        if (etag != null) {
            json(res, 200, mapper.createObjectNode().put("id", id).put("status", status).put("etag", etag));
        }
    }

    private void setModels(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonNode body = body(req, res);
        if (body == null) {
            return;
        }
        List<String> models = stringList(body.isArray() ? body : body.get("models"));
        if (models == null) {
            error(res, 400, "invalid_models", "send {\"models\": [\"model-id\", ...]} (empty means all models)");
            return;
        }
        String etag = mutate(res, doc -> {
            ArrayNode keys = keysArray(doc);
            int i = find(keys, id);
            if (i < 0) {
                return new Refusal(404, "key_not_found", "no key with id '" + id + "'");
            }
            ObjectNode k = (ObjectNode) keys.get(i);
            if (models.isEmpty()) {
                k.remove("models");
            } else {
                k.set("models", mapper.valueToTree(models));
            }
            return null;
        });
        if (etag != null) {
            ObjectNode out = mapper.createObjectNode().put("id", id).put("etag", etag);
            out.set("models", mapper.valueToTree(models));
            json(res, 200, out);
        }
    }

    private void deleteKey(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String etag = mutate(res, doc -> {
            ArrayNode keys = keysArray(doc);
            int i = find(keys, id);
            if (i < 0) {
                return new Refusal(404, "key_not_found", "no key with id '" + id + "'");
            }
            keys.remove(i);
            return null;
        });
        if (etag != null) {
            event(System.Logger.Level.INFO, "admin.key_deleted", "keyId", id);
            json(res, 200, mapper.createObjectNode().put("id", id).put("deleted", true).put("etag", etag));
        }
    }

    private record Refusal(int status, String code, String message) {
    }

    /**
     * Applies a change to the stored document with If-Match on the version it read, retrying on a conflicting
     * write by someone else (a key change is small and re-applies cleanly to the newer version).
     *
     * @return the new etag, or null after sending an error
     */
    private String mutate(ServerResponse res, Function<ObjectNode, Refusal> change) {
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            ConfigStore.Versioned v = read(res);
            if (v == null) {
                return null;
            }
            JsonNode parsed = parseStored(v, res);
            if (parsed == null) {
                return null;
            }
            if (!(parsed instanceof ObjectNode doc)) {
                error(res, 409, "config_invalid", "the stored config is not a JSON object; fix it in the editor");
                return null;
            }
            Refusal refusal = change.apply(doc);
            if (refusal != null) {
                error(res, refusal.status(), refusal.code(), refusal.message());
                return null;
            }
            String json;
            LoadedConfig loaded;
            try {
                json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
                loaded = loader.load(json);
            } catch (ConfigException e) {
                AdminErrors.send(mapper, res, 422, "config_invalid", "the change would make the config invalid",
                        e.problems(), null);
                return null;
            } catch (IOException e) {
                error(res, 500, "internal_error", "cannot serialise the config");
                return null;
            }
            try {
                String etag = parts.access().store().write(json, v.etag());
                parts.access().applied(etag, loaded);
                return etag;
            } catch (ConfigConflictException e) {
                LOG.log(System.Logger.Level.DEBUG, "key change conflicted with another write; retrying");
            } catch (ConfigStoreException e) {
                error(res, 503, "store_failed", "the config could not be stored: " + e.getMessage());
                return null;
            }
        }
        error(res, 409, "config_conflict", "the config kept changing; try again");
        return null;
    }

    private ArrayNode keysArray(ObjectNode doc) {
        JsonNode k = doc.get("apiKeys");
        return k instanceof ArrayNode a ? a : doc.putArray("apiKeys");
    }

    private static int find(ArrayNode keys, String id) {
        for (int i = 0; i < keys.size(); i++) {
            if (id.equals(keys.get(i).path("id").asText(null))) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> stringList(JsonNode n) {
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (JsonNode m : n) {
            if (!m.isTextual() || m.asText().isBlank()) {
                return null;
            }
            out.add(m.asText());
        }
        return out;
    }

    // ---- upstreams, runtime, stats, logs -----------------------------------------------------------------

    private void verify(ServerRequest req, ServerResponse res) {
        String name = req.path().pathParameters().get("name");
        GatewayConfig c = parts.access().current().config();
        Optional<Upstream> u = c.upstream(name);
        if (u.isEmpty()) {
            error(res, 404, "upstream_not_found", "no upstream named '" + name + "'");
            return;
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
            error(res, 400, "invalid_window", "window must be 1m, 5m, 1h or all");
            return;
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
                error(res, 400, "invalid_since", "since must be an ISO-8601 instant, e.g. 2026-01-01T00:00:00Z");
                return;
            }
        }
        int limit;
        long after;
        try {
            limit = Math.max(1, Math.min(1000, Integer.parseInt(req.query().first("limit").orElse("100"))));
            after = Math.max(0, Long.parseLong(req.query().first("after").orElse("0")));
        } catch (NumberFormatException e) {
            error(res, 400, "invalid_number", "limit and after must be numbers");
            return;
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

    // ---- TLS ---------------------------------------------------------------------------------------------

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
        if (body == null) {
            return;
        }
        ConfigStore.Versioned stored = read(res);
        if (stored == null) {
            return;
        }
        JsonNode storedDoc = parseStored(stored, res);
        if (storedDoc == null) {
            return;
        }
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
            AdminErrors.send(mapper, res, 422, "config_invalid", "the TLS settings have errors", e.problems(), null);
            return;
        } catch (IOException e) {
            error(res, 400, "invalid_json", "the settings cannot be serialised");
            return;
        }
        String caddyfile;
        try {
            caddyfile = parts.preview().render(candidate);
        } catch (CaddyfileRenderException e) {
            AdminErrors.send(mapper, res, 422, "config_invalid", "the TLS settings cannot be rendered",
                    List.of(ConfigProblem.error("server.caddy", e.getMessage())), null);
            return;
        } catch (RuntimeException e) {
            AdminErrors.send(mapper, res, 422, "config_invalid", "the TLS settings cannot be rendered: "
                    + firstLine(e.getMessage()), List.of(), null);
            return;
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("caddyfile", caddyfile);
        out.set("warnings", AdminErrors.problems(mapper, problems));
        json(res, 200, out);
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private void notFound(ServerRequest req, ServerResponse res) {
        error(res, 404, "not_found", "no admin API route " + req.prologue().method().text() + " "
                + req.path().path());
    }

    private AdminSecurityFilter.Principal principal(ServerRequest req) {
        return req.context().get(AdminSecurityFilter.Principal.class)
                .orElse(new AdminSecurityFilter.Principal("-", Optional.empty()));
    }

    /** Like {@link #body}, but the body must be a JSON object (every admin write but a key's model list). */
    private JsonNode objectBody(ServerRequest req, ServerResponse res) {
        JsonNode n = body(req, res);
        if (n != null && !n.isObject()) {
            error(res, 400, "invalid_json", "the body must be a JSON object");
            return null;
        }
        return n;
    }

    private JsonNode body(ServerRequest req, ServerResponse res) {
        byte[] bytes;
        try {
            bytes = BoundedBody.read(req, res, MAX_BODY);
        } catch (BoundedBody.TooLarge e) {
            error(res, 413, "body_too_large", "the body exceeds " + MAX_BODY + " bytes");
            return null;
        } catch (IOException | RuntimeException e) {
            error(res, 400, "invalid_body", "cannot read the request body");
            return null;
        }
        if (bytes.length == 0) {
            error(res, 400, "invalid_json", "a JSON body is required");
            return null;
        }
        try {
            JsonNode n = mapper.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                error(res, 400, "invalid_json", "a JSON body is required");
                return null;
            }
            return n;
        } catch (IOException e) {
            AdminErrors.send(mapper, res, 400, "invalid_json", "the body is not valid JSON",
                    List.of(ConfigProblem.error("$", firstLine(e.getMessage()))), null);
            return null;
        }
    }

    private ConfigStore.Versioned read(ServerResponse res) {
        try {
            return parts.access().store().read();
        } catch (ConfigStoreException e) {
            error(res, 503, "store_failed", "the config could not be read: " + e.getMessage());
            return null;
        }
    }

    private JsonNode parseStored(ConfigStore.Versioned v, ServerResponse res) {
        JsonNode n = parseStoredQuiet(v);
        if (n == null) {
            error(res, 500, "config_unreadable", "the stored config is not valid JSON");
        }
        return n;
    }

    private JsonNode parseStoredQuiet(ConfigStore.Versioned v) {
        try {
            JsonNode n = mapper.readTree(v.json());
            return n == null || n.isMissingNode() ? mapper.createObjectNode() : n;
        } catch (IOException e) {
            return null;
        }
    }

    private void error(ServerResponse res, int status, String code, String message) {
        AdminErrors.send(mapper, res, status, code, message);
    }

    private void json(ServerResponse res, int status, JsonNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString());
    }

    static String quote(String etag) {
        return "\"" + etag.replace("\"", "") + "\"";
    }

    static String unquote(String v) {
        String s = v.trim();
        if (s.startsWith("W/")) {
            s = s.substring(2);
        }
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        return s;
    }

    /** Logs a structured admin event as one JSON line (the log view parses it into fields). */
    private void event(System.Logger.Level level, String event, String... keyValues) {
        ObjectNode n = mapper.createObjectNode();
        n.put("event", event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            n.put(keyValues[i], keyValues[i + 1]);
        }
        LOG.log(level, n.toString());
    }

    private static String safe(String s) {
        String t = s == null ? "" : s.replaceAll("[^A-Za-z0-9._@-]", "?");
        return t.length() > 64 ? t.substring(0, 64) : t;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
