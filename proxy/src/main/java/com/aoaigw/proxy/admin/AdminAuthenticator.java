package com.aoaigw.proxy.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import com.aoaigw.config.AdminAuth;
import com.aoaigw.config.GatewayConfig;

/**
 * Decides who is the admin, from {@code server.adminAuth} of the config in effect (read on every check, so a saved
 * change applies at once). {@code admin}/{@code admin} never works: a password equal to the user name or in a tiny
 * list of well-known defaults counts as not set. When nothing usable is configured, the password generated at
 * start-up by {@link AdminBootstrap} is used. Switching admin auth off is honoured only while the proxy listens on
 * loopback.
 */
public final class AdminAuthenticator {
    private static final System.Logger LOG = System.getLogger(AdminAuthenticator.class.getName());
    private static final Set<String> WEAK = Set.of("admin", "password", "change-me", "changeme", "123456",
            "12345678", "secret", "passw0rd", "administrator", "root", "letmein");
    private static final Duration VERIFIED_CACHE = Duration.ofMinutes(5);
    private static final int MAX_CACHE = 64;

    private final Supplier<GatewayConfig> config;
    private final Supplier<String> listenHost;
    private final PasswordHasher hasher;
    private final Clock clock;
    private final AtomicReference<Generated> generated = new AtomicReference<>();
    /** PBKDF2 is slow on purpose; HTTP Basic sends the password on every call, so a recent match is remembered. */
    private final Map<String, Instant> verified = new ConcurrentHashMap<>();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param config     the config in effect
     * @param listenHost the address the proxy listens on (decides whether auth may be switched off)
     * @param hasher     password hasher
     * @param clock      time source
     */
    public AdminAuthenticator(Supplier<GatewayConfig> config, Supplier<String> listenHost, PasswordHasher hasher,
                              Clock clock) {
        this.config = config;
        this.listenHost = listenHost;
        this.hasher = hasher;
        this.clock = clock;
    }

    /**
     * The credentials the configured {@code adminAuth} gives, or none when nothing usable is set.
     *
     * @param auth the block
     * @return true when the block holds a usable password or hash
     */
    public static boolean usable(AdminAuth auth) {
        if (!auth.passwordHash().isEmpty()) {
            return PasswordHasher.wellFormed(auth.passwordHash().reveal());
        }
        return !auth.password().isEmpty() && !weak(auth.username(), auth.password().reveal());
    }

    /**
     * @param username user name
     * @param password password
     * @return true when the password must not be accepted
     */
    public static boolean weak(String username, String password) {
        String p = password.trim().toLowerCase(Locale.ROOT);
        return p.isEmpty() || p.equals(username.trim().toLowerCase(Locale.ROOT)) || WEAK.contains(p);
    }

    /**
     * Installs the password generated at start-up (its hash), used while the config holds no usable credentials.
     *
     * @param username user name
     * @param hash     PBKDF2 hash
     */
    public void useGenerated(String username, String hash) {
        generated.set(new Generated(username, hash));
    }

    /**
     * @return true when the admin area needs no credentials: switched off, the proxy listens on loopback, and Caddy
     *         is not enabled (through Caddy every request arrives from loopback, whoever sent it)
     */
    public boolean open() {
        AdminAuth auth = config.get().server().adminAuth();
        if (auth.enabled()) {
            return false;
        }
        if (config.get().server().caddy().enabled()) {
            if (warned.add("enabled-false-caddy")) {
                LOG.log(System.Logger.Level.WARNING, "server.adminAuth.enabled=false is ignored: Caddy is enabled, "
                        + "so requests from anywhere arrive through loopback; admin credentials stay required");
            }
            return false;
        }
        if (loopback(listenHost.get())) {
            return true;
        }
        if (warned.add("enabled-false")) {
            LOG.log(System.Logger.Level.WARNING, "server.adminAuth.enabled=false is ignored: the proxy listens on "
                    + listenHost.get() + ", beyond loopback; admin credentials stay required");
        }
        return false;
    }

    /**
     * @param username user name
     * @param password password
     * @return true when these are the admin's credentials
     */
    public boolean check(String username, String password) {
        if (username == null || password == null) {
            return false;
        }
        AdminAuth auth = config.get().server().adminAuth();
        String expectedUser;
        String hash = null;
        String plain = null;
        if (usable(auth)) {
            expectedUser = auth.username();
            if (!auth.passwordHash().isEmpty()) {
                hash = auth.passwordHash().reveal();
            } else {
                plain = auth.password().reveal();
                if (warned.add("plain")) {
                    LOG.log(System.Logger.Level.WARNING, "server.adminAuth.password is a plain password; store a "
                            + "hash in server.adminAuth.passwordHash instead (pbkdf2-sha256$<iterations>$<salt>$<hash>)");
                }
            }
        } else {
            Generated g = generated.get();
            if (g == null) {
                return false;
            }
            expectedUser = g.username();
            hash = g.hash();
        }
        boolean userOk = MessageDigest.isEqual(sha256(username), sha256(expectedUser));
        boolean passOk;
        if (plain != null) {
            passOk = MessageDigest.isEqual(sha256(password), sha256(plain));
        } else {
            passOk = verifyHash(username, password, hash);
        }
        return userOk & passOk;
    }

    private boolean verifyHash(String username, String password, String hash) {
        String cacheKey = HexFormat.of().formatHex(sha256(username + "\u0000" + password + "\u0000" + hash));
        Instant now = clock.instant();
        Instant until = verified.get(cacheKey);
        if (until != null && now.isBefore(until)) {
            return true;
        }
        boolean ok = hasher.verify(password, hash);
        if (ok) {
            if (verified.size() >= MAX_CACHE) {
                verified.clear();
            }
            verified.put(cacheKey, now.plus(VERIFIED_CACHE));
        }
        return ok;
    }

    /**
     * @param host a listen address
     * @return true for loopback addresses and {@code localhost}
     */
    public static boolean loopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("[::1]");
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record Generated(String username, String hash) {
        @Override
        public String toString() {
            return "Generated[" + username + "]";
        }
    }
}
