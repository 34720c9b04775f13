package com.aoaigw.proxy.api;

import java.io.IOException;

import com.aoaigw.config.ModelRoute;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{id}} (also under {@code /openai/v1} and {@code /openai}, the path
 * of Azure's data-plane model list, where an {@code api-version} query is accepted and ignored), answered from the config
 * without calling Azure and filtered by the key's model allowlist. {@code created} is the time the config version
 * was loaded (stable between calls); {@code owned_by} is {@code azure}.
 */
public final class ModelsService implements HttpService {
    private final ObjectMapper mapper;
    private final ErrorRenderer errors;

    /**
     * @param mapper mapper
     * @param errors error renderer
     */
    public ModelsService(ObjectMapper mapper, ErrorRenderer errors) {
        this.mapper = mapper;
        this.errors = errors;
    }

    @Override
    public void routing(HttpRules rules) {
        // /openai/models is what the Azure-flavoured SDKs call (AzureOpenAI.models.list(), with ?api-version=)
        for (String prefix : new String[] {"/v1/models", "/openai/v1/models", "/openai/models"}) {
            rules.get(prefix, this::list);
            rules.get(prefix + "/{id}", this::one);
            for (String p : new String[] {prefix, prefix + "/{id}"}) {
                rules.any(p, (req, res) -> {
                    res.header(HeaderNames.ALLOW, "GET");
                    errors.send(res, new ProxyException.InvalidRequest(405, null, "method_not_allowed",
                            "Method " + req.prologue().method().text() + " is not allowed on " + req.path().path()
                                    + "; use GET."));
                });
            }
        }
    }

    private void list(ServerRequest req, ServerResponse res) throws IOException {
        ConfigSnapshot snap = ClientAuthFilter.snapshot(req);
        ClientIdentity who = req.context().get(ClientIdentity.class).orElseThrow(ProxyException.Unauthorized::new);
        ObjectNode root = mapper.createObjectNode();
        root.put("object", "list");
        ArrayNode data = root.putArray("data");
        for (ModelRoute m : snap.config().models()) {
            if (who.allows(m.id())) {
                data.add(model(m, snap));
            }
        }
        send(res, root);
    }

    private void one(ServerRequest req, ServerResponse res) throws IOException {
        ConfigSnapshot snap = ClientAuthFilter.snapshot(req);
        ClientIdentity who = req.context().get(ClientIdentity.class).orElseThrow(ProxyException.Unauthorized::new);
        String id = req.path().pathParameters().get("id");
        ModelRoute m = snap.config().model(id).filter(x -> who.allows(x.id())).orElseThrow(() ->
                new ProxyException.NotFound("model", "model_not_found",
                        "The model `" + id + "` does not exist or you do not have access to it."));
        send(res, model(m, snap));
    }

    private ObjectNode model(ModelRoute m, ConfigSnapshot snap) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", m.id());
        n.put("object", "model");
        n.put("created", snap.loadedAt().getEpochSecond());
        n.put("owned_by", "azure");
        return n;
    }

    private void send(ServerResponse res, ObjectNode body) throws IOException {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(mapper.writeValueAsBytes(body));
    }
}
