package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.ConfigConflictException;
import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.LoadedConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The admin API's client keys: list, create, enable and disable, allowed models, delete, under {@code /admin/api}. */
final class AdminKeysService extends AdminSurface {
    /** Fields of a new key besides id and models that POST /keys copies into the stored entry. */
    private static final List<String> CREATE_EXTRAS = List.of("limits", "owner", "note", "expiresAt");

    /** @param parts everything the admin API uses */
    AdminKeysService(AdminService.Parts parts) {
        super(parts);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/keys", this::listKeys)
                .post("/keys", this::createKey)
                .post("/keys/{id}/disable", (req, res) -> setStatus(req, res, "disabled"))
                .post("/keys/{id}/enable", (req, res) -> setStatus(req, res, "active"))
                .put("/keys/{id}/models", this::setModels)
                .delete("/keys/{id}", this::deleteKey);
    }

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
        String id = body.path("id").asText("");
        if (!KEY_ID.matcher(id).matches()) {
            throw error(400, "invalid_key_id", "id must be 1-64 letters, digits, '.', '_' or '-', starting with a "
                    + "letter or digit");
        }
        List<String> models = stringList(body.get("models"));
        if (models == null) {
            throw error(400, "invalid_models", "models must be an array of model ids");
        }
        String key = parts.keys().generate();
        String etag = mutate(doc -> {
            ArrayNode keys = keysArray(doc);
            if (indexOf(keys, id) >= 0) {
                throw error(409, "key_exists", "a key with id '" + id + "' exists");
            }
            ObjectNode n = keys.addObject();
            n.put("id", id);
            n.put("key", ClientKeys.hashed(key));
            if (!models.isEmpty()) {
                n.set("models", mapper.valueToTree(models));
            }
            // optional settings written in the same version, so a key never exists without its limits; the
            // config validator checks them like any other field (its messages name apiKeys[i].limits.rpm, ...)
            for (String field : CREATE_EXTRAS) {
                JsonNode v = body.get(field);
                if (v != null && !v.isNull()) {
                    n.set(field, v.deepCopy());
                }
            }
        });
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
        String etag = mutate(doc -> {
            ArrayNode keys = keysArray(doc);
            int i = find(keys, id);
            ObjectNode k = (ObjectNode) keys.get(i);
            if ("active".equals(status)) {
                k.remove("status");
            } else {
                k.put("status", status);
            }
        });
        json(res, 200, mapper.createObjectNode().put("id", id).put("status", status).put("etag", etag));
    }

    private void setModels(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        JsonNode body = body(req, res);
        List<String> models = stringList(body.isArray() ? body : body.get("models"));
        if (models == null) {
            throw error(400, "invalid_models", "send {\"models\": [\"model-id\", ...]} (empty means all models)");
        }
        String etag = mutate(doc -> {
            ArrayNode keys = keysArray(doc);
            int i = find(keys, id);
            ObjectNode k = (ObjectNode) keys.get(i);
            if (models.isEmpty()) {
                k.remove("models");
            } else {
                k.set("models", mapper.valueToTree(models));
            }
        });
        ObjectNode out = mapper.createObjectNode().put("id", id).put("etag", etag);
        out.set("models", mapper.valueToTree(models));
        json(res, 200, out);
    }

    private void deleteKey(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        String etag = mutate(doc -> {
            ArrayNode keys = keysArray(doc);
            int i = find(keys, id);
            keys.remove(i);
        });
        event(System.Logger.Level.INFO, "admin.key_deleted", "keyId", id);
        json(res, 200, mapper.createObjectNode().put("id", id).put("deleted", true).put("etag", etag));
    }

    /**
     * Applies a change to the stored document with If-Match on the version it read, retrying on a conflicting
     * write by someone else (a key change is small and re-applies cleanly to the newer version).
     *
     * @param change edits the document in place; throws an {@link AdminException} to refuse
     * @return the new etag
     * @throws AdminException when the change is refused, the result is invalid, or the store fails
     */
    private String mutate(Consumer<ObjectNode> change) {
        for (int attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
            ConfigStore.Versioned v = read();
            JsonNode parsed = parseStored(v);
            if (!(parsed instanceof ObjectNode doc)) {
                throw error(409, "config_invalid", "the stored config is not a JSON object; fix it in the editor");
            }
            change.accept(doc);
            String json;
            LoadedConfig loaded;
            try {
                json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
                loaded = loader.load(json);
            } catch (ConfigException e) {
                throw new AdminException.Invalid("the change would make the config invalid", e.problems());
            } catch (IOException e) {
                throw error(500, "internal_error", "cannot serialise the config");
            }
            try {
                String etag = parts.access().store().write(json, v.etag());
                parts.access().applied(etag, loaded);
                return etag;
            } catch (ConfigConflictException e) {
                LOG.log(System.Logger.Level.DEBUG, "key change conflicted with another write; retrying");
            } catch (ConfigStoreException e) {
                throw error(503, "store_failed", "the config could not be stored: " + e.getMessage());
            }
        }
        throw error(409, "config_conflict", "the config kept changing; try again");
    }

    private ArrayNode keysArray(ObjectNode doc) {
        JsonNode k = doc.get("apiKeys");
        return k instanceof ArrayNode a ? a : doc.putArray("apiKeys");
    }

    /** @return the index of the key with this id; 404 {@code key_not_found} when there is none */
    private static int find(ArrayNode keys, String id) {
        int i = indexOf(keys, id);
        if (i < 0) {
            throw error(404, "key_not_found", "no key with id '" + id + "'");
        }
        return i;
    }

    private static int indexOf(ArrayNode keys, String id) {
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
}
