package com.aoaigw.proxy.admin;

import java.io.PrintStream;
import java.util.Optional;

import com.aoaigw.config.AdminAuth;
import com.aoaigw.config.ConfigConflictException;
import com.aoaigw.config.ConfigException;
import com.aoaigw.config.ConfigLoader;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.ConfigStoreException;
import com.aoaigw.config.LoadedConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * First-start admin credentials (D2): when the config holds no usable admin password (none, or a weak one such as
 * {@code admin}), a random one is generated, printed once to stdout, and its PBKDF2 hash is written into
 * {@code server.adminAuth.passwordHash} through the store (with If-Match), so it survives restarts. The weak plain
 * password is removed from the document at the same time.
 */
public final class AdminBootstrap {
    private static final System.Logger LOG = System.getLogger(AdminBootstrap.class.getName());
    private static final int ATTEMPTS = 3;

    private final AdminConfigAccess access;
    private final ConfigLoader loader;
    private final PasswordHasher hasher;
    private final ClientKeys random;
    private final ObjectMapper mapper;

    /**
     * @param access  the config
     * @param loader  the strict loader
     * @param hasher  password hasher
     * @param random  random text source
     */
    public AdminBootstrap(AdminConfigAccess access, ConfigLoader loader, PasswordHasher hasher, ClientKeys random) {
        this.access = access;
        this.loader = loader;
        this.hasher = hasher;
        this.random = random;
        this.mapper = AdminJson.mapper();
    }

    /**
     * Ensures the admin has a usable password.
     *
     * @param authenticator receives the generated hash (used even when it cannot be persisted)
     * @param out           where the generated password is printed, once
     * @return the generated password when one was generated (for tests; never log it)
     */
    public Optional<String> ensure(AdminAuthenticator authenticator, PrintStream out) {
        AdminAuth auth = access.current().config().server().adminAuth();
        if (AdminAuthenticator.usable(auth)) {
            return Optional.empty();
        }
        if (!auth.password().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "server.adminAuth.password is too weak (equal to the user name or a "
                    + "well-known default) and is ignored; a new admin password is generated");
        } else if (!auth.passwordHash().isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "server.adminAuth.passwordHash is not a pbkdf2-sha256 hash and is "
                    + "ignored; a new admin password is generated");
        }
        String username = auth.username().isBlank() ? "admin" : auth.username();
        String password = random.randomBase62(24);
        String hash = hasher.hash(password);
        authenticator.useGenerated(username, hash);
        out.println("Admin password generated for user '" + username + "': " + password);
        out.println("(shown once; its hash is stored in server.adminAuth.passwordHash)");
        out.flush();
        persist(hash);
        return Optional.of(password);
    }

    /**
     * Replaces the admin password whatever the config holds (the lost-password path, {@code reset-admin-password}):
     * a new random password, its hash written through the store in {@code server.adminAuth.passwordHash} (a plain
     * {@code password} is removed), the password printed once.
     *
     * @param out where the new password is printed, once
     * @return true when the hash was stored (a running proxy picks it up like any other config change)
     */
    public boolean reset(PrintStream out) {
        AdminAuth auth = access.current().config().server().adminAuth();
        String username = auth.username().isBlank() ? "admin" : auth.username();
        String password = random.randomBase62(24);
        if (!persist(hasher.hash(password))) {
            return false;
        }
        out.println("New admin password for user '" + username + "': " + password);
        out.println("(shown once; its hash is stored in server.adminAuth.passwordHash)");
        out.flush();
        return true;
    }

    private boolean persist(String hash) {
        ConfigStore store = access.store();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                ConfigStore.Versioned v = store.read();
                ObjectNode doc = (ObjectNode) mapper.readTree(v.json());
                ObjectNode server = doc.has("server") && doc.get("server").isObject()
                        ? (ObjectNode) doc.get("server") : doc.putObject("server");
                ObjectNode adminAuth = server.has("adminAuth") && server.get("adminAuth").isObject()
                        ? (ObjectNode) server.get("adminAuth") : server.putObject("adminAuth");
                adminAuth.remove("password");
                adminAuth.put("passwordHash", hash);
                String json = mapper.writerWithDefaultPrettyPrinter().writeValueAsString(doc);
                LoadedConfig loaded = loader.load(json);
                String etag = store.write(json, v.etag());
                access.applied(etag, loaded);
                LOG.log(System.Logger.Level.INFO, "generated admin password hash stored in the config");
                return true;
            } catch (ConfigConflictException e) {
                LOG.log(System.Logger.Level.DEBUG, "config changed while storing the admin hash; retrying");
            } catch (ConfigException | ConfigStoreException | java.io.IOException | ClassCastException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot store the generated admin password hash ("
                        + e.getMessage() + "); the password works until the proxy restarts");
                return false;
            }
        }
        LOG.log(System.Logger.Level.WARNING, "cannot store the generated admin password hash after " + ATTEMPTS
                + " conflicting writes; the password works until the proxy restarts");
        return false;
    }
}
