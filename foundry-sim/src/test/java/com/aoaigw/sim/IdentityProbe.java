package com.aoaigw.sim;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;

/**
 * Run in a child JVM by {@link AzureIdentityIT}: gets one token with azure-identity and prints it. A child process
 * because MSAL reads the managed-identity environment from the real process environment, and the client-secret
 * flow needs the simulator's trust store as the JVM default.
 */
public final class IdentityProbe {
    private IdentityProbe() {
    }

    /**
     * @param args {@code secret <authority> <tenant> <clientId> <clientSecret>} or {@code mi}
     */
    public static void main(String[] args) {
        TokenCredential cred = switch (args[0]) {
            case "secret" -> new ClientSecretCredentialBuilder()
                    .authorityHost(args[1])
                    .tenantId(args[2])
                    .clientId(args[3])
                    .clientSecret(args[4])
                    .disableInstanceDiscovery()
                    .build();
            case "mi" -> new ManagedIdentityCredentialBuilder().build();
            default -> throw new IllegalArgumentException("mode secret or mi, not " + args[0]);
        };
        AccessToken t = cred.getTokenSync(new TokenRequestContext()
                .addScopes("https://cognitiveservices.azure.com/.default"));
        System.out.println("TOKEN " + t.getToken() + " " + t.getExpiresAt().toEpochSecond());
    }
}
