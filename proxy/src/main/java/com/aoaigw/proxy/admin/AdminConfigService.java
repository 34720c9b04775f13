package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.aoaigw.config.ConfigConflictException;
import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;
import com.aoaigw.config.LoadedConfig;
import com.aoaigw.config.StoreStatus;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The admin API's the config: masked read, conditional save, validate, diff, reload, under {@code /admin/api}. */
final class AdminConfigService extends AdminSurface {
    /** @param parts everything the admin API uses */
    AdminConfigService(AdminService.Parts parts) {
        super(parts);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/config", this::getConfig)
                .put("/config", this::putConfig)
                .post("/config/validate", this::validate)
                .post("/config/diff", this::diff)
                .post("/reload", this::reload);
    }

    private void getConfig(ServerRequest req, ServerResponse res) {
        ConfigStore.Versioned v = read();
        JsonNode doc = parseStored(v);
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
        Optional<String> ifMatch = req.headers().first(IF_MATCH).map(AdminSurface::unquote);
        if (ifMatch.isEmpty() || ifMatch.get().isBlank()) {
            throw error(428, "if_match_required",
                    "send If-Match with the etag of the config you edited (from GET /admin/api/config)");
        }
        JsonNode candidate = objectBody(req, res);
        ConfigStore.Versioned stored = read();
        if (!unquote(stored.etag()).equals(ifMatch.get())) {
            throw conflict(res, stored);
        }
        JsonNode storedDoc = parseStored(stored);
        Prepared p = prepare(candidate, storedDoc);
        com.aoaigw.config.AdminAuth before = parts.access().current().config().server().adminAuth();
        String etag;
        try {
            etag = parts.access().store().write(p.json(), stored.etag());
        } catch (ConfigConflictException e) {
            throw conflict(res, e.current());
        } catch (ConfigStoreException e) {
            LOG.log(System.Logger.Level.ERROR, "config save failed: " + e.getMessage());
            throw error(503, "store_failed", "the config could not be stored: " + e.getMessage());
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

    /** @return the candidate (an {@link AdminException} when the body or the store fails) */
    private Candidate candidate(ServerRequest req, ServerResponse res) {
        JsonNode body = objectBody(req, res);
        ConfigStore.Versioned stored = read();
        JsonNode storedDoc = parseStoredQuiet(stored);
        JsonNode copy = body.deepCopy();
        List<String> unmatched = SecretMasker.unmask(copy, storedDoc);
        return new Candidate(copy, stored, storedDoc, unmatched);
    }

    private void validate(ServerRequest req, ServerResponse res) {
        Candidate c = candidate(req, res);
        List<ConfigProblem> problems = new ArrayList<>();
        for (String path : c.unmatched()) {
            problems.add(ConfigProblem.error(path, "the value is masked but no stored secret matches it; enter the secret"));
        }
        // the rest of the document is checked even when a secret must be entered again (a form shows every
        // message at once); a mask left in place is only a stand-in value here, never saved
        try {
            problems.addAll(loader.load(mapper.writeValueAsString(c.doc())).warnings());
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        } catch (IOException e) {
            problems.add(ConfigProblem.error("$", "not valid JSON"));
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("valid", problems.stream().noneMatch(p -> p.severity() == ConfigProblem.Severity.ERROR));
        out.set("details", AdminErrors.problems(mapper, problems));
        json(res, 200, out);
    }

    private void diff(ServerRequest req, ServerResponse res) {
        Candidate c = candidate(req, res);
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
            throw new AdminException.Invalid("the stored config was refused; the last good config stays in effect",
                    e.problems());
        } catch (ConfigStoreException e) {
            throw error(503, "store_failed", "the config could not be read: " + e.getMessage());
        }
    }

    private record Prepared(JsonNode doc, String json, LoadedConfig loaded) {
    }

    /** Unmasks and validates a candidate; throws the {@link AdminException} when it is refused. */
    private Prepared prepare(JsonNode candidate, JsonNode storedDoc) {
        JsonNode doc = candidate.deepCopy();
        List<String> missing = SecretMasker.unmask(doc, storedDoc);
        if (!missing.isEmpty()) {
            throw new AdminException.Invalid("masked secrets without a stored value",
                    missing.stream().map(p -> ConfigProblem.error(p,
                            "the value is masked but no stored secret matches it; enter the secret")).toList());
        }
        String json;
        try {
            json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
        } catch (IOException e) {
            throw error(400, "invalid_json", "the config cannot be serialised");
        }
        try {
            return new Prepared(doc, json, loader.load(json));
        } catch (ConfigException e) {
            throw new AdminException.Invalid("the config has errors; nothing was saved", e.problems());
        }
    }

    /** @return the 409 to throw, with the current version (masked) beside the error and as the ETag */
    private AdminException conflict(ServerResponse res, ConfigStore.Versioned current) {
        ObjectNode extra = mapper.createObjectNode();
        if (current != null) {
            extra.put("etag", current.etag());
            JsonNode doc = parseStoredQuiet(current);
            if (doc != null) {
                extra.set("config", SecretMasker.mask(doc));
            }
            res.header(HeaderNames.ETAG, quote(current.etag()));
        }
        return new AdminException.Refused(409, "config_conflict",
                "the config was changed by someone else since you loaded it; review their version and retry",
                List.of(), extra);
    }
}
