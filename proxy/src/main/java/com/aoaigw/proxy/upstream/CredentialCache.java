package com.aoaigw.proxy.upstream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import com.aoaigw.config.UpstreamAuth;
import com.aoaigw.proxy.error.ProxyException;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;

/**
 * Upstream credentials and the proxy's own token cache, one entry per (credential, scope) — i.e. per
 * {@link UpstreamAuth} value. azure-identity's caches are not relied on (MSAL misses on non-443 authorities and
 * its refresh-at value is unreliable).
 *
 * <p>Rules: a cached token is used until {@code expiresAt - 5 min}; then one thread refreshes (single-flight)
 * while the others keep using the still-valid token, or wait when there is none. After a failed refresh, no new
 * attempt is made for 30 s while the old token is still valid. {@link #invalidate} drops a token Azure refused
 * (401). Tokens are never logged.
 */
public final class CredentialCache {
    private static final System.Logger LOG = System.getLogger(CredentialCache.class.getName());
    private static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
    private static final Duration FAILURE_BACKOFF = Duration.ofSeconds(30);

    private final Map<UpstreamAuth, Entry> entries = new ConcurrentHashMap<>();
    private final Function<UpstreamAuth, TokenCredential> factory;
    private final Clock clock;

    /** A cache building real azure-identity credentials. */
    public CredentialCache() {
        this(CredentialCache::build, Clock.systemUTC());
    }

    /**
     * @param factory builds a credential for a token-based auth (tests pass a fake)
     * @param clock   the clock
     */
    public CredentialCache(Function<UpstreamAuth, TokenCredential> factory, Clock clock) {
        this.factory = factory;
        this.clock = clock;
    }

    /**
     * The header that authenticates a request to the upstream.
     *
     * @param auth the upstream's effective auth
     * @return header name and value
     * @throws ProxyException.UpstreamFailure when no token can be obtained
     */
    public AuthHeader authorize(UpstreamAuth auth) {
        return switch (auth) {
            case UpstreamAuth.ApiKey k -> new AuthHeader("api-key", k.key().reveal(), null);
            case UpstreamAuth.ClientSecret c -> bearer(auth, c.scope());
            case UpstreamAuth.ManagedIdentity m -> bearer(auth, m.scope());
            case UpstreamAuth.DefaultCredential d -> bearer(auth, d.scope());
        };
    }

    /**
     * Drops a token the upstream refused, unless it was already replaced.
     *
     * @param header the header that was refused
     */
    public void invalidate(AuthHeader header) {
        if (header.token() == null) {
            return;
        }
        Entry e = entries.get(header.auth());
        if (e != null) {
            e.invalidate(header.token());
        }
    }

    /**
     * Forgets credentials no longer used by the config.
     *
     * @param inUse the auths of the current config
     */
    public void retain(Collection<UpstreamAuth> inUse) {
        Set<UpstreamAuth> keep = Set.copyOf(inUse);
        entries.keySet().removeIf(a -> !keep.contains(a));
    }

    /**
     * @param auth an auth
     * @return true when a valid token is cached (or none is needed)
     */
    public boolean ready(UpstreamAuth auth) {
        if (auth instanceof UpstreamAuth.ApiKey k) {
            return !k.key().isEmpty();
        }
        Entry e = entries.get(auth);
        return e != null && e.valid(clock.instant());
    }

    private AuthHeader bearer(UpstreamAuth auth, String scope) {
        Entry e = entries.computeIfAbsent(auth, a -> new Entry(a, scope));
        AccessToken t = e.token(clock);
        return new AuthHeader("authorization", "Bearer " + t.getToken(), t, auth);
    }

    /**
     * Builds the azure-identity credential for a token-based auth.
     *
     * @param auth the auth
     * @return the credential
     */
    static TokenCredential build(UpstreamAuth auth) {
        return switch (auth) {
            case UpstreamAuth.ApiKey k -> throw new IllegalArgumentException("an api-key needs no token credential");
            case UpstreamAuth.ClientSecret c -> {
                ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder()
                        .tenantId(c.tenantId())
                        .clientId(c.clientId())
                        .clientSecret(c.clientSecret().reveal());
                if (c.authorityHost() != null) {
                    b.authorityHost(c.authorityHost());
                    if (!publicCloud(c.authorityHost())) {
                        // MSAL would otherwise ask login.microsoftonline.com about an authority it does not know
                        b.disableInstanceDiscovery();
                    }
                }
                yield b.build();
            }
            case UpstreamAuth.ManagedIdentity m -> {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
                if (m.clientId() != null) {
                    b.clientId(m.clientId());
                }
                yield b.build();
            }
            case UpstreamAuth.DefaultCredential d -> {
                DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder();
                if (d.managedIdentityClientId() != null) {
                    b.managedIdentityClientId(d.managedIdentityClientId());
                }
                if (d.authorityHost() != null) {
                    b.authorityHost(d.authorityHost());
                }
                yield b.build();
            }
        };
    }

    private static boolean publicCloud(String authority) {
        return authority.toLowerCase(Locale.ROOT).startsWith("https://login.microsoftonline.com");
    }

    /**
     * An auth header for one request.
     *
     * @param name  header name (lower case)
     * @param value header value (secret: never log)
     * @param token the token used, or null for an api-key
     * @param auth  the auth it came from, or null
     */
    public record AuthHeader(String name, String value, AccessToken token, UpstreamAuth auth) {
        AuthHeader(String name, String value, AccessToken token) {
            this(name, value, token, null);
        }

        @Override
        public String toString() {
            return "AuthHeader[" + name + "]";
        }
    }

    private final class Entry {
        private final UpstreamAuth auth;
        private final TokenRequestContext request;
        private final ReentrantLock refresh = new ReentrantLock();
        private volatile TokenCredential credential;
        private volatile AccessToken token;
        private volatile Instant retryAfter = Instant.MIN;

        Entry(UpstreamAuth auth, String scope) {
            this.auth = auth;
            this.request = new TokenRequestContext().addScopes(scope);
        }

        boolean valid(Instant now) {
            AccessToken t = token;
            return t != null && now.isBefore(t.getExpiresAt().toInstant());
        }

        void invalidate(AccessToken refused) {
            refresh.lock();
            try {
                if (token == refused) {
                    token = null;
                }
            } finally {
                refresh.unlock();
            }
        }

        AccessToken token(Clock clock) {
            AccessToken t = token;
            Instant now = clock.instant();
            if (t != null && now.isBefore(t.getExpiresAt().toInstant().minus(REFRESH_MARGIN))) {
                return t;
            }
            if (t != null && now.isBefore(t.getExpiresAt().toInstant())) {
                // still valid: refresh if nobody else is and the last failure is old enough, else use it
                if (now.isBefore(retryAfter) || !refresh.tryLock()) {
                    return t;
                }
                try {
                    if (token != t) {
                        return token != null ? token : t;
                    }
                    return fetch(clock, t);
                } finally {
                    refresh.unlock();
                }
            }
            refresh.lock();
            try {
                AccessToken again = token;
                if (again != null && clock.instant().isBefore(again.getExpiresAt().toInstant().minus(REFRESH_MARGIN))) {
                    return again;
                }
                return fetch(clock, null);
            } finally {
                refresh.unlock();
            }
        }

        private AccessToken fetch(Clock clock, AccessToken fallback) {
            try {
                TokenCredential c = credential;
                if (c == null) {
                    c = factory.apply(auth);
                    credential = c;
                }
                AccessToken fresh = c.getTokenSync(request);
                if (fresh == null || fresh.getToken() == null || fresh.getToken().isEmpty()) {
                    throw new IllegalStateException("the credential returned no token");
                }
                token = fresh;
                return fresh;
            } catch (RuntimeException e) {
                retryAfter = clock.instant().plus(FAILURE_BACKOFF);
                if (fallback != null) {
                    LOG.log(System.Logger.Level.WARNING, "token refresh failed, using the still-valid token: "
                            + e.getClass().getSimpleName());
                    return fallback;
                }
                LOG.log(System.Logger.Level.WARNING, "cannot obtain an upstream token: " + e.getMessage());
                throw new ProxyException.UpstreamFailure(502, "upstream_auth_failed",
                        "The gateway could not obtain a token to authenticate to the upstream.", e);
            }
        }
    }
}
