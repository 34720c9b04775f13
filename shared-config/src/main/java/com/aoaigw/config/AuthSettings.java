package com.aoaigw.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An upstream auth block: the global {@code auth}, or {@code upstreams[].auth} overriding it for one upstream.
 * Same JSON as the original's {@code auth}; {@link #resolve()} turns it into exactly one {@link UpstreamAuth}.
 *
 * @param mode                    {@code apiKey}, {@code servicePrincipal} (default; client secret when tenant, client
 *                                id and secret are all set, else the default credential chain as in the original),
 *                                {@code managedIdentity} (system-assigned, or user-assigned with
 *                                {@code managedIdentityClientId}) or {@code defaultCredential}
 * @param tenantId                Entra tenant (servicePrincipal)
 * @param clientId                app registration client id (servicePrincipal)
 * @param clientSecret            client secret (servicePrincipal)
 * @param managedIdentityClientId user-assigned managed identity client id; empty means system-assigned
 * @param scope                   token scope; default {@code https://cognitiveservices.azure.com/.default}
 * @param apiKey                  the Azure api-key (apiKey mode), sent as the {@code api-key} header
 * @param authorityHost           Entra authority; default {@code https://login.microsoftonline.com/} (sovereign
 *                                clouds, or a local test authority)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record AuthSettings(String mode,
                           String tenantId,
                           String clientId,
                           Secret clientSecret,
                           String managedIdentityClientId,
                           String scope,
                           Secret apiKey,
                           String authorityHost) {
    /** The default token scope. */
    public static final String DEFAULT_SCOPE = "https://cognitiveservices.azure.com/.default";

    /** Fills defaults for missing values. */
    public AuthSettings {
        mode = mode == null || mode.isBlank() ? "servicePrincipal" : mode.trim();
        tenantId = Defaults.str(tenantId, "");
        clientId = Defaults.str(clientId, "");
        clientSecret = Defaults.secret(clientSecret);
        managedIdentityClientId = Defaults.str(managedIdentityClientId, "");
        scope = Defaults.str(scope, DEFAULT_SCOPE);
        apiKey = Defaults.secret(apiKey);
        authorityHost = Defaults.str(authorityHost, "");
    }

    /** @return the defaults */
    public static AuthSettings defaults() {
        return new AuthSettings(null, null, null, null, null, null, null, null);
    }

    /**
     * @param newScope the scope to use
     * @return a copy with another scope
     */
    public AuthSettings withScope(String newScope) {
        return new AuthSettings(mode, tenantId, clientId, clientSecret, managedIdentityClientId, newScope, apiKey, authorityHost);
    }

    /**
     * The credential this block describes. Assumes a validated document (an unknown mode is a validation error).
     *
     * @return exactly one kind of upstream auth
     */
    public UpstreamAuth resolve() {
        String authority = authorityHost.isBlank() ? null : authorityHost;
        String mi = managedIdentityClientId.isBlank() ? null : managedIdentityClientId;
        return switch (mode) {
            case "apiKey" -> new UpstreamAuth.ApiKey(apiKey);
            case "managedIdentity" -> new UpstreamAuth.ManagedIdentity(mi, scope);
            case "defaultCredential" -> new UpstreamAuth.DefaultCredential(mi, scope, authority);
            default -> !tenantId.isBlank() && !clientId.isBlank() && !clientSecret.isEmpty()
                    ? new UpstreamAuth.ClientSecret(tenantId, clientId, clientSecret, scope, authority)
                    : new UpstreamAuth.DefaultCredential(mi, scope, authority);
        };
    }
}
