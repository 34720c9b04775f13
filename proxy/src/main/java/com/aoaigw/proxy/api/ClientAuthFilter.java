package com.aoaigw.proxy.api;

import java.util.Optional;

import com.aoaigw.config.ClientKey;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.route.ClientApiPath;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.config.KeyIndex;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.observe.ExchangeLog;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Client key authentication for the OpenAI-compatible API ({@code /v1/...} and {@code /openai/...}). The key is
 * taken from {@code Authorization: Bearer}, {@code api-key} or {@code x-api-key} (the first that matches); it is
 * checked against
 * the current snapshot's {@link com.aoaigw.proxy.config.KeyIndex}. On success a {@link ClientIdentity} is registered
 * in the request context; otherwise the answer is 401 {@code invalid_api_key}. Other paths pass untouched (the
 * admin area has its own filter; /healthz and /metrics are open or loopback-only).
 */
public final class ClientAuthFilter implements Filter {
    private static final HeaderName API_KEY = HeaderNames.create("api-key");
    private static final HeaderName X_API_KEY = HeaderNames.create("x-api-key");

    private final ConfigHolder config;
    private final ErrorRenderer errors;

    /**
     * @param config the snapshot holder
     * @param errors the error renderer
     */
    public ClientAuthFilter(ConfigHolder config, ErrorRenderer errors) {
        this.config = config;
        this.errors = errors;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (!ClientApiPath.matches(path)) {
            chain.proceed();
            return;
        }
        ConfigSnapshot snap = config.current();
        if (snap == null) {
            errors.send(res, new ProxyException.Internal(503, "config_unavailable",
                    "The gateway has no valid configuration loaded.", null));
            return;
        }
        long authStart = System.nanoTime();
        Optional<ClientKey> key = authenticate(snap.keys(), req);
        req.context().get(ExchangeLog.class).filter(ExchangeLog::traced).ifPresent(l -> l.phase(
                new ExchangeLog.Phase("auth", authStart, System.nanoTime(), false, key.isEmpty(), java.util.Map.of())));
        if (key.isEmpty()) {
            errors.send(res, new ProxyException.Unauthorized());
            req.context().get(ExchangeLog.class).ifPresent(l -> l.errorCode("invalid_api_key"));
            return;
        }
        java.util.Optional<java.time.Instant> expiry = key.get().expiry();
        if (expiry.isPresent() && !expiry.get().isAfter(java.time.Instant.now())) {
            errors.send(res, new ProxyException.Unauthorized("This API key expired at " + expiry.get()
                    + ". Ask the gateway's operator for a new key."));
            req.context().get(ExchangeLog.class).ifPresent(l -> {
                l.keyId(key.get().id());
                l.errorCode("invalid_api_key");
            });
            return;
        }
        ClientIdentity id = ClientIdentity.of(key.get());
        req.context().register(id);
        // the one snapshot this request reads, however many reloads happen while it runs
        req.context().register(snap);
        req.context().get(ExchangeLog.class).ifPresent(l -> l.keyId(id.keyId()));
        chain.proceed();
    }

    /**
     * @param req a client API request that passed this filter
     * @return the config snapshot taken when it was authenticated
     */
    public static ConfigSnapshot snapshot(ServerRequest req) {
        return req.context().get(ConfigSnapshot.class).orElseThrow(() -> new ProxyException.Internal(503,
                "config_unavailable", "The gateway has no valid configuration loaded.", null));
    }

    /**
     * Tries the bearer token, then {@code api-key}, then {@code x-api-key}: SDKs in Azure mode send a placeholder
     * bearer together with the real key in {@code api-key}, so one wrong candidate does not decide.
     */
    private static Optional<ClientKey> authenticate(KeyIndex keys, RoutingRequest req) {
        Optional<String> authz = req.headers().first(HeaderNames.AUTHORIZATION);
        if (authz.isPresent()) {
            String v = authz.get().trim();
            if (v.length() > 7 && v.regionMatches(true, 0, "Bearer ", 0, 7)) {
                Optional<ClientKey> k = keys.authenticate(v.substring(7).trim());
                if (k.isPresent()) {
                    return k;
                }
            }
        }
        for (HeaderName h : new HeaderName[] {API_KEY, X_API_KEY}) {
            Optional<String> v = req.headers().first(h);
            if (v.isPresent()) {
                Optional<ClientKey> k = keys.authenticate(v.get().trim());
                if (k.isPresent()) {
                    return k;
                }
            }
        }
        return Optional.empty();
    }
}
