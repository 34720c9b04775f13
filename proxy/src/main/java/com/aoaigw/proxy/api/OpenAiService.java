package com.aoaigw.proxy.api;

import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.route.RouteKey;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;

/**
 * The forwarded OpenAI-compatible operations, under three prefixes: {@code /v1}, {@code /openai/v1} (Azure v1
 * style) and the classic Azure paths {@code /openai/deployments/{model}/...?api-version=} and
 * {@code /openai/responses?api-version=} (the path's {@code {model}} is the public model id). Every known path
 * answers 405 to other methods.
 */
public final class OpenAiService implements HttpService {
    private final Forwarder forwarder;
    private final ErrorRenderer errors;

    /**
     * @param forwarder the pipeline
     * @param errors    error renderer
     */
    public OpenAiService(Forwarder forwarder, ErrorRenderer errors) {
        this.forwarder = forwarder;
        this.errors = errors;
    }

    @Override
    public void routing(HttpRules rules) {
        for (String prefix : new String[] {"/v1/", "/openai/v1/"}) {
            for (RouteKey r : RouteKey.values()) {
                post(rules, prefix + r.key(), (req, res) -> forwarder.forward(req, res, r, null));
            }
        }
        for (RouteKey r : new RouteKey[] {RouteKey.CHAT, RouteKey.EMBEDDINGS, RouteKey.IMAGES}) {
            post(rules, "/openai/deployments/{model}/" + r.key(), (req, res) -> {
                requireApiVersion(req);
                forwarder.forward(req, res, r, req.path().pathParameters().get("model"));
            });
        }
        post(rules, "/openai/responses", (req, res) -> {
            requireApiVersion(req);
            forwarder.forward(req, res, RouteKey.RESPONSES, null);
        });
    }

    private void post(HttpRules rules, String path, Handler handler) {
        rules.post(path, handler);
        rules.any(path, (req, res) -> {
            res.header(HeaderNames.ALLOW, "POST");
            errors.send(res, new ProxyException.InvalidRequest(405, null, "method_not_allowed",
                    "Method " + req.prologue().method().text() + " is not allowed on " + req.path().path()
                            + "; use POST."));
        });
    }

    private static void requireApiVersion(ServerRequest req) {
        if (req.query().first("api-version").filter(v -> !v.isBlank()).isEmpty()) {
            throw new ProxyException.InvalidRequest("api-version", "missing_api_version",
                    "Missing required query parameter api-version (e.g. ?api-version=2024-10-21).");
        }
    }
}
