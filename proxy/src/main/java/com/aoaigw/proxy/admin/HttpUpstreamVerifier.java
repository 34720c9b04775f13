package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;

import com.aoaigw.config.AuthSettings;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.Upstream;
import com.aoaigw.config.UpstreamAuth;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;

/**
 * The real {@link UpstreamVerifier}: acquires a fresh credential with azure-identity (or takes the api-key), then
 * calls the upstream's models endpoint ({@code /openai/v1/models}, or {@code /openai/models?api-version=} for the
 * classic style) with a short timeout. Only the token's expiry is reported, never the token.
 */
public final class HttpUpstreamVerifier implements UpstreamVerifier {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String CLASSIC_VERSION = "2024-10-21";

    private final HttpClient http;
    private final Authorizer authorizer;

    /**
     * A credential ready to send.
     *
     * @param header    the header name ({@code api-key} or {@code Authorization})
     * @param value     the header value; never shown
     * @param expiresAt the token's expiry, or null for an api-key
     */
    public record Credential(String header, String value, Instant expiresAt) {
        @Override
        public String toString() {
            return "Credential[" + header + ", expires " + expiresAt + "]";
        }
    }

    /** Turns an upstream auth into a fresh credential (the proxy passes its own token cache). */
    @FunctionalInterface
    public interface Authorizer {
        /**
         * @param auth the upstream's effective auth
         * @return the credential
         * @throws RuntimeException when no credential can be obtained
         */
        Credential authorize(UpstreamAuth auth);
    }

    /** A verifier that builds its own azure-identity credentials. */
    public HttpUpstreamVerifier() {
        this(HttpUpstreamVerifier::standalone);
    }

    /**
     * @param authorizer where credentials come from
     */
    public HttpUpstreamVerifier(Authorizer authorizer) {
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
        this.authorizer = authorizer;
    }

    @Override
    public Result verify(GatewayConfig config, Upstream upstream) {
        AuthSettings settings = config.effectiveAuth(upstream);
        UpstreamAuth auth = settings.resolve();
        String url = modelsUrl(upstream);
        String mode = modeName(auth);
        if (auth instanceof UpstreamAuth.ApiKey k && k.key().isEmpty()) {
            return new Result(false, mode, "no api-key configured", url, 0, 0,
                    "the api-key is empty for upstream '" + upstream.name() + "'");
        }
        Credential cred;
        try {
            cred = authorizer.authorize(auth);
        } catch (RuntimeException e) {
            return new Result(false, mode, "token not acquired", url, 0, 0,
                    "credential failed: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
        String credential = cred.expiresAt() == null
                ? "api-key present" + (auth instanceof UpstreamAuth.ApiKey k && k.key().isReference()
                        ? " (from " + k.key().stored() + ")" : "")
                : "token acquired, expires at " + cred.expiresAt();
        String headerName = cred.header();
        String headerValue = cred.value();
        long start = System.nanoTime();
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET()
                    .header(headerName, headerValue).header("Accept", "application/json").build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            boolean ok = res.statusCode() / 100 == 2;
            return new Result(ok, mode, credential, url, res.statusCode(), ms,
                    ok ? null : "models endpoint answered " + res.statusCode() + errorCode(res.body()));
        } catch (HttpTimeoutException e) {
            return new Result(false, mode, credential, url, 0, (System.nanoTime() - start) / 1_000_000,
                    "timed out after " + TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            return new Result(false, mode, credential, url, 0, (System.nanoTime() - start) / 1_000_000,
                    "cannot reach the upstream: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, mode, credential, url, 0, 0, "interrupted");
        } catch (IllegalArgumentException e) {
            return new Result(false, mode, credential, url, 0, 0, "invalid upstream URL: " + firstLine(e.getMessage()));
        }
    }

    /**
     * @param u an upstream
     * @return its models endpoint
     */
    static String modelsUrl(Upstream u) {
        String base = u.baseUrl().endsWith("/") ? u.baseUrl().substring(0, u.baseUrl().length() - 1) : u.baseUrl();
        if (u.apiStyle() == com.aoaigw.config.ApiStyle.CLASSIC) {
            String v = u.apiVersion().isBlank() ? CLASSIC_VERSION : u.apiVersion();
            return base + "/openai/models?api-version=" + v;
        }
        return base + "/openai/v1/models";
    }

    /** Builds azure-identity credentials directly (used when the proxy's token cache is not at hand). */
    static Credential standalone(UpstreamAuth auth) {
        return switch (auth) {
            case UpstreamAuth.ApiKey k -> new Credential("api-key", k.key().reveal(), null);
            case UpstreamAuth.ClientSecret cs -> {
                ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder().tenantId(cs.tenantId())
                        .clientId(cs.clientId()).clientSecret(cs.clientSecret().reveal());
                if (cs.authorityHost() != null) {
                    b.authorityHost(cs.authorityHost());
                }
                yield bearer(token(b.build(), cs.scope()));
            }
            case UpstreamAuth.ManagedIdentity mi -> {
                ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
                if (mi.clientId() != null) {
                    b.clientId(mi.clientId());
                }
                yield bearer(token(b.build(), mi.scope()));
            }
            case UpstreamAuth.DefaultCredential dc -> {
                DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder();
                if (dc.managedIdentityClientId() != null) {
                    b.managedIdentityClientId(dc.managedIdentityClientId());
                }
                if (dc.authorityHost() != null) {
                    b.authorityHost(dc.authorityHost());
                }
                yield bearer(token(b.build(), dc.scope()));
            }
        };
    }

    private static Credential bearer(AccessToken t) {
        return new Credential("Authorization", "Bearer " + t.getToken(), t.getExpiresAt().toInstant());
    }

    private static AccessToken token(TokenCredential c, String scope) {
        AccessToken t = c.getTokenSync(new TokenRequestContext().addScopes(scope));
        if (t == null) {
            throw new IllegalStateException("no token returned");
        }
        return t;
    }

    private static String modeName(UpstreamAuth a) {
        return switch (a) {
            case UpstreamAuth.ApiKey k -> "apiKey";
            case UpstreamAuth.ClientSecret c -> "clientSecret";
            case UpstreamAuth.ManagedIdentity m -> "managedIdentity";
            case UpstreamAuth.DefaultCredential d -> "defaultCredential";
        };
    }

    /**
     * Only the error code of an upstream's answer is shown, never its text: the endpoint may not be Azure (a changed
     * baseUrl), and whatever it echoes must not come back through the admin API.
     */
    private static String errorCode(String body) {
        if (body == null || body.isEmpty() || body.length() > 65_536) {
            return "";
        }
        try {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            var c = n == null ? null : n.path("error").path("code");
            if (c != null && c.isTextual() && c.asText().matches("[A-Za-z0-9_.-]{1,64}")) {
                return " (" + c.asText() + ")";
            }
        } catch (IOException ignored) {
            // not JSON: nothing to show
        }
        return "";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = nl >= 0 ? s.substring(0, nl) : s;
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
