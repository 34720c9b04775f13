package com.aoaigw.proxy.admin;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

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

    /** A verifier with its own small HTTP client. */
    public HttpUpstreamVerifier() {
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public Result verify(GatewayConfig config, Upstream upstream) {
        AuthSettings settings = config.effectiveAuth(upstream);
        UpstreamAuth auth = settings.resolve();
        String url = modelsUrl(upstream);
        String mode;
        String credential;
        String headerName;
        String headerValue;
        try {
            switch (auth) {
                case UpstreamAuth.ApiKey k -> {
                    mode = "apiKey";
                    if (k.key().isEmpty()) {
                        return new Result(false, mode, "no api-key configured", url, 0, 0,
                                "auth.apiKey is empty for upstream '" + upstream.name() + "'");
                    }
                    credential = "api-key present" + (k.key().isReference() ? " (from " + k.key().stored() + ")" : "");
                    headerName = "api-key";
                    headerValue = k.key().reveal();
                }
                case UpstreamAuth.ClientSecret cs -> {
                    mode = "clientSecret";
                    ClientSecretCredentialBuilder b = new ClientSecretCredentialBuilder().tenantId(cs.tenantId())
                            .clientId(cs.clientId()).clientSecret(cs.clientSecret().reveal());
                    if (cs.authorityHost() != null) {
                        b.authorityHost(cs.authorityHost());
                    }
                    AccessToken t = token(b.build(), cs.scope());
                    credential = "token acquired, expires at " + t.getExpiresAt().toInstant();
                    headerName = "Authorization";
                    headerValue = "Bearer " + t.getToken();
                }
                case UpstreamAuth.ManagedIdentity mi -> {
                    mode = "managedIdentity";
                    ManagedIdentityCredentialBuilder b = new ManagedIdentityCredentialBuilder();
                    if (mi.clientId() != null) {
                        b.clientId(mi.clientId());
                    }
                    AccessToken t = token(b.build(), mi.scope());
                    credential = "token acquired, expires at " + t.getExpiresAt().toInstant();
                    headerName = "Authorization";
                    headerValue = "Bearer " + t.getToken();
                }
                case UpstreamAuth.DefaultCredential dc -> {
                    mode = "defaultCredential";
                    DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder();
                    if (dc.managedIdentityClientId() != null) {
                        b.managedIdentityClientId(dc.managedIdentityClientId());
                    }
                    if (dc.authorityHost() != null) {
                        b.authorityHost(dc.authorityHost());
                    }
                    AccessToken t = token(b.build(), dc.scope());
                    credential = "token acquired, expires at " + t.getExpiresAt().toInstant();
                    headerName = "Authorization";
                    headerValue = "Bearer " + t.getToken();
                }
            }
        } catch (RuntimeException e) {
            return new Result(false, modeName(auth), "token not acquired", url, 0, 0,
                    "credential failed: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
        long start = System.nanoTime();
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET()
                    .header(headerName, headerValue).header("Accept", "application/json").build();
            HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            boolean ok = res.statusCode() / 100 == 2;
            return new Result(ok, mode, credential, url, res.statusCode(), ms,
                    ok ? null : "models endpoint answered " + res.statusCode() + ": " + firstLine(errorMessage(res.body())));
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
        if ("classic".equals(u.apiStyle())) {
            String v = u.apiVersion().isBlank() ? CLASSIC_VERSION : u.apiVersion();
            return base + "/openai/models?api-version=" + v;
        }
        return base + "/openai/v1/models";
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

    private static String errorMessage(String body) {
        if (body == null) {
            return "";
        }
        try {
            var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
            var m = n.path("error").path("message");
            if (m.isTextual()) {
                return m.asText();
            }
        } catch (IOException ignored) {
            // not JSON: the raw text, cut below
        }
        return body.length() > 300 ? body.substring(0, 300) + "..." : body;
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
