package com.aoaigw.config;

/**
 * The {@code server.adminAuth} block. Admin access can never be switched off while the proxy listens beyond
 * loopback, and {@code admin}/{@code admin} never works.
 *
 * @param enabled      kept from the original; when false and the proxy listens on loopback only, the admin area still
 *                     needs credentials unless none were ever set (then a password is generated at start-up)
 * @param username     admin user name; default {@code admin}
 * @param password     a plain password (accepted with a warning recommending {@code passwordHash}); empty by default
 * @param passwordHash a PBKDF2 hash, {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}; preferred
 */
public record AdminAuth(Boolean enabled, String username, Secret password, Secret passwordHash) {
    /** Fills defaults for missing values. */
    public AdminAuth {
        enabled = Defaults.or(enabled, true);
        username = Defaults.str(username, "admin");
        password = Defaults.secret(password);
        passwordHash = Defaults.secret(passwordHash);
    }

    /** @return the defaults */
    public static AdminAuth defaults() {
        return new AdminAuth(null, null, null, null);
    }
}
