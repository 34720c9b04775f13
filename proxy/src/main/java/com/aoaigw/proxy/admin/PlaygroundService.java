package com.aoaigw.proxy.admin;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import com.aoaigw.config.ClientKey;
import com.aoaigw.proxy.api.ClientIdentity;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.observe.ExchangeLog;
import com.aoaigw.proxy.route.RouteKey;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin page's playground: {@code POST /admin/api/playground/{route}?keyId=ID} runs the data plane's own
 * handling (the same forwarder as {@code /v1/...}) as the client key {@code ID}, and streams its answer back.
 * Client keys are stored hashed, so the admin session cannot send the key itself; it borrows the key's identity
 * (its model allowlist, its id in the logs and statistics) instead. The admin security filter in front of
 * {@code /admin} has already authenticated the admin and checked the CSRF token; the key must exist and be active.
 */
public final class PlaygroundService implements HttpService {
    /** The routes by the names the page uses. */
    static final Map<String, RouteKey> ROUTES = Map.of("chat", RouteKey.CHAT, "responses", RouteKey.RESPONSES,
            "embeddings", RouteKey.EMBEDDINGS, "images", RouteKey.IMAGES);

    /** The data plane's handling of one request for an authenticated client (the proxy's forwarder). */
    @FunctionalInterface
    public interface DataPlane {
        /**
         * @param req   the request, with a {@link ClientIdentity} and the {@link ConfigSnapshot} in its context
         * @param res   where the answer goes
         * @param route the operation
         */
        void forward(ServerRequest req, ServerResponse res, RouteKey route);
    }

    private final Supplier<ConfigSnapshot> config;
    private final DataPlane dataPlane;

    /**
     * @param config    the config snapshot in effect
     * @param dataPlane the data plane's handling
     */
    public PlaygroundService(Supplier<ConfigSnapshot> config, DataPlane dataPlane) {
        this.config = config;
        this.dataPlane = dataPlane;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/playground/{route}", this::send);
    }

    private void send(ServerRequest req, ServerResponse res) {
        RouteKey route = ROUTES.get(req.path().pathParameters().get("route"));
        if (route == null) {
            throw AdminException.of(404, "unknown_route", "the route must be chat, responses, embeddings or images");
        }
        Optional<String> keyId = req.query().first("keyId").asOptional().filter(s -> !s.isBlank());
        if (keyId.isEmpty()) {
            throw AdminException.of(400, "missing_key_id", "name the client key to call as: ?keyId=ID");
        }
        ConfigSnapshot snap = config.get();
        Optional<ClientKey> key = snap == null ? Optional.empty()
                : snap.config().apiKeys().stream().filter(k -> k.id().equals(keyId.get())).findFirst();
        if (key.isEmpty()) {
            throw AdminException.of(404, "key_not_found", "no key with id '" + keyId.get() + "'");
        }
        if (!key.get().active()) {
            throw AdminException.of(409, "key_disabled", "the key '" + keyId.get() + "' is disabled; enable it first");
        }
        ClientIdentity who = ClientIdentity.of(key.get());
        req.context().register(who);
        // the one snapshot the request reads, as the client auth filter registers it for /v1
        req.context().register(snap);
        req.context().get(ExchangeLog.class).ifPresent(l -> l.keyId(who.keyId()));
        dataPlane.forward(req, res, route);
    }
}
