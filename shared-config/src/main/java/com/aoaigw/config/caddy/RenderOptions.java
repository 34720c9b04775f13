package com.aoaigw.config.caddy;

/**
 * Process-level inputs of {@link CaddyfileRenderer} that are not part of the shared config document: where Caddy
 * keeps its storage, and knobs for tests and private deployments (loopback-only binding, a private ACME directory).
 *
 * @param storageRoot      Caddy's certificate storage ({@code storage file_system { root ... }}); the value of
 *                         {@code CADDY_DATA_DIR}
 * @param defaultBind      when set, the global {@code default_bind} (e.g. {@code 127.0.0.1} in tests); null = all
 *                         interfaces ({@code CADDY_DEFAULT_BIND})
 * @param skipInstallTrust render {@code skip_install_trust}: never touch the system trust store with the local CA
 *                         ({@code CADDY_SKIP_INSTALL_TRUST}; the manager turns it on by default: a container has
 *                         no use for it)
 * @param acmeCaUrl        when set, replaces the ACME directory of {@code ca: acme} and {@code ca: acme-staging}
 *                         (a private ACME CA, or a closed port in the "unreachable ACME" test;
 *                         {@code CADDY_ACME_CA_URL})
 * @param healthInterval   Caddy's active health check interval against the proxy's {@code /healthz}, e.g. {@code 30s}
 */
public record RenderOptions(String storageRoot,
                            String defaultBind,
                            boolean skipInstallTrust,
                            String acmeCaUrl,
                            String healthInterval) {
    /** Fills defaults for missing values. */
    public RenderOptions {
        storageRoot = storageRoot == null ? "" : storageRoot;
        defaultBind = defaultBind == null || defaultBind.isBlank() ? null : defaultBind.trim();
        acmeCaUrl = acmeCaUrl == null || acmeCaUrl.isBlank() ? null : acmeCaUrl.trim();
        healthInterval = healthInterval == null || healthInterval.isBlank() ? "30s" : healthInterval.trim();
    }
}
