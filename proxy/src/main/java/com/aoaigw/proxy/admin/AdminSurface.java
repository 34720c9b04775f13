package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * What every admin API surface shares: the parts, the JSON mapper and loader, and the request and response helpers
 * (bodies, the stored config, errors, events). One subclass per surface registers its own routes.
 */
abstract class AdminSurface implements HttpService {
    static final System.Logger LOG = System.getLogger(AdminService.class.getName());
    static final HeaderName IF_MATCH = HeaderNames.IF_MATCH;
    static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    static final int MAX_BODY = 2 * 1024 * 1024;
    static final int WRITE_ATTEMPTS = 3;

    final AdminService.Parts parts;
    final ObjectMapper mapper = AdminJson.mapper();
    final ConfigLoader loader = new ConfigLoader();

    /** @param parts everything the admin API uses */
    AdminSurface(AdminService.Parts parts) {
        this.parts = parts;
    }

    AdminSecurityFilter.Principal principal(ServerRequest req) {
        return req.context().get(AdminSecurityFilter.Principal.class)
                .orElse(new AdminSecurityFilter.Principal("-", Optional.empty()));
    }

    /**
     * Like {@link #body}, but the body must be a JSON object (every admin write but a key's model list).
     *
     * @throws AdminException when it is not
     */
    JsonNode objectBody(ServerRequest req, ServerResponse res) {
        JsonNode n = body(req, res);
        if (!n.isObject()) {
            throw error(400, "invalid_json", "the body must be a JSON object");
        }
        return n;
    }

    /**
     * @return the request's JSON body (capped at {@value #MAX_BODY} bytes), never null
     * @throws AdminException when it is missing, too large or not JSON
     */
    JsonNode body(ServerRequest req, ServerResponse res) {
        byte[] bytes;
        try {
            bytes = BoundedBody.read(req, res, MAX_BODY);
        } catch (BoundedBody.TooLarge e) {
            throw error(413, "body_too_large", "the body exceeds " + MAX_BODY + " bytes");
        } catch (IOException | RuntimeException e) {
            throw error(400, "invalid_body", "cannot read the request body");
        }
        if (bytes.length == 0) {
            throw error(400, "invalid_json", "a JSON body is required");
        }
        JsonNode n;
        try {
            n = mapper.readTree(bytes);
        } catch (IOException e) {
            throw new AdminException.Refused(400, "invalid_json", "the body is not valid JSON",
                    List.of(ConfigProblem.error("$", firstLine(e.getMessage()))), null);
        }
        if (n == null || n.isMissingNode()) {
            throw error(400, "invalid_json", "a JSON body is required");
        }
        return n;
    }

    /**
     * @return the stored config, never null
     * @throws AdminException when the store cannot be read
     */
    ConfigStore.Versioned read() {
        try {
            return parts.access().store().read();
        } catch (ConfigStoreException e) {
            throw error(503, "store_failed", "the config could not be read: " + e.getMessage());
        }
    }

    /**
     * @return the stored document, never null
     * @throws AdminException when it is not JSON
     */
    JsonNode parseStored(ConfigStore.Versioned v) {
        JsonNode n = parseStoredQuiet(v);
        if (n == null) {
            throw error(500, "config_unreadable", "the stored config is not valid JSON");
        }
        return n;
    }

    JsonNode parseStoredQuiet(ConfigStore.Versioned v) {
        try {
            JsonNode n = mapper.readTree(v.json());
            return n == null || n.isMissingNode() ? mapper.createObjectNode() : n;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * @return the error to throw; the admin area's error handler renders it
     */
    static AdminException error(int status, String code, String message) {
        return AdminException.of(status, code, message);
    }

    void json(ServerResponse res, int status, JsonNode body) {
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
    void event(System.Logger.Level level, String event, String... keyValues) {
        ObjectNode n = mapper.createObjectNode();
        n.put("event", event);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            n.put(keyValues[i], keyValues[i + 1]);
        }
        LOG.log(level, n.toString());
    }

    static String safe(String s) {
        String t = s == null ? "" : s.replaceAll("[^A-Za-z0-9._@-]", "?");
        return t.length() > 64 ? t.substring(0, 64) : t;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
