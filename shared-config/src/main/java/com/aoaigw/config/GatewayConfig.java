package com.aoaigw.config;

import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The config document shared by the proxy and caddy-manager (the {@code config.json} the admin page edits).
 * A superset of the original AOAI-Proxy schema: an original {@code config.json} loads unchanged.
 *
 * @param server    process-level settings: listener, admin, Caddy, upstream timeouts and pool
 * @param auth      the global upstream auth, used by every upstream without its own {@code auth}
 * @param apiKeys   client keys accepted by the proxy
 * @param upstreams Azure OpenAI / Foundry endpoints
 * @param models    public model names and the deployments behind them
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GatewayConfig(ServerSettings server,
                            AuthSettings auth,
                            List<ClientKey> apiKeys,
                            List<Upstream> upstreams,
                            List<ModelRoute> models) {
    /** Fills defaults for missing values. */
    public GatewayConfig {
        server = Defaults.or(server, ServerSettings.defaults());
        auth = Defaults.or(auth, AuthSettings.defaults());
        apiKeys = Defaults.list(apiKeys);
        upstreams = Defaults.list(upstreams);
        models = Defaults.list(models);
    }

    /**
     * @param id a public model id
     * @return the model with that id (exact, case-sensitive match)
     */
    public Optional<ModelRoute> model(String id) {
        return models.stream().filter(m -> m.id().equals(id)).findFirst();
    }

    /**
     * @param name an upstream name
     * @return the upstream with that name
     */
    public Optional<Upstream> upstream(String name) {
        return upstreams.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    /**
     * The auth that applies to an upstream: its own {@code auth} block when present, else the global one;
     * a per-upstream {@code scope} overrides the scope of either.
     *
     * @param upstream the upstream
     * @return the effective auth settings
     */
    public AuthSettings effectiveAuth(Upstream upstream) {
        AuthSettings a = upstream.auth() != null ? upstream.auth() : auth;
        if (upstream.scope() != null && !upstream.scope().isBlank()) {
            a = a.withScope(upstream.scope());
        }
        return a;
    }
}
