package com.aoaigw.config;

/** How the proxy authenticates to one upstream: exactly one of these. */
public sealed interface UpstreamAuth {
    /**
     * The Azure api-key, sent as the {@code api-key} header.
     *
     * @param key the key
     */
    record ApiKey(Secret key) implements UpstreamAuth {
    }

    /**
     * An Entra service principal with a client secret.
     *
     * @param tenantId      tenant
     * @param clientId      application (client) id
     * @param clientSecret  secret
     * @param scope         token scope
     * @param authorityHost authority, or null for the public cloud
     */
    record ClientSecret(String tenantId, String clientId, Secret clientSecret, String scope, String authorityHost)
            implements UpstreamAuth {
    }

    /**
     * A managed identity.
     *
     * @param clientId the user-assigned identity's client id, or null for the system-assigned identity
     * @param scope    token scope
     */
    record ManagedIdentity(String clientId, String scope) implements UpstreamAuth {
    }

    /**
     * azure-identity's DefaultAzureCredential chain (environment, workload identity, managed identity, CLI, ...).
     *
     * @param managedIdentityClientId the user-assigned identity for the chain's managed-identity step, or null
     * @param scope                   token scope
     * @param authorityHost           authority, or null for the public cloud
     */
    record DefaultCredential(String managedIdentityClientId, String scope, String authorityHost) implements UpstreamAuth {
    }
}
