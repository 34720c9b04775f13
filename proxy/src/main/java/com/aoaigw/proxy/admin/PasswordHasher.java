package com.aoaigw.proxy.admin;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * PBKDF2-HMAC-SHA256 password hashes in the form {@code pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>}.
 * Verification is constant-time over equal-length digests, so it leaks neither content nor length (D10).
 */
public final class PasswordHasher {
    /** The prefix of every hash this class writes. */
    public static final String PREFIX = "pbkdf2-sha256";
    /** Iterations for new hashes (OWASP 2023 guidance for PBKDF2-HMAC-SHA256 is 600k; login is rare). */
    public static final int DEFAULT_ITERATIONS = 210_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BITS = 256;
    private static final int MAX_ITERATIONS = 5_000_000;

    private final SecureRandom random;
    private final int iterations;

    /** A hasher with the default iteration count. */
    public PasswordHasher() {
        this(new SecureRandom(), DEFAULT_ITERATIONS);
    }

    /**
     * @param random     salt source
     * @param iterations iterations for new hashes
     */
    public PasswordHasher(SecureRandom random, int iterations) {
        if (iterations < 1 || iterations > MAX_ITERATIONS) {
            throw new IllegalArgumentException("iterations out of range: " + iterations);
        }
        this.random = random;
        this.iterations = iterations;
    }

    /**
     * @param password the password
     * @return its hash string
     */
    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] h = derive(password, salt, iterations, HASH_BITS);
        Base64.Encoder b64 = Base64.getEncoder();
        return PREFIX + "$" + iterations + "$" + b64.encodeToString(salt) + "$" + b64.encodeToString(h);
    }

    /**
     * @param hash a hash string
     * @return true when it has the expected shape and parameters in range
     */
    public static boolean wellFormed(String hash) {
        return parse(hash) != null;
    }

    /**
     * @param password a candidate password
     * @param hash     a hash string written by {@link #hash(String)} (or any compatible tool)
     * @return true when the password matches; false for a malformed hash
     */
    public boolean verify(String password, String hash) {
        Parsed p = parse(hash);
        if (p == null) {
            return false;
        }
        byte[] candidate = derive(password, p.salt(), p.iterations(), p.hash().length * 8);
        return MessageDigest.isEqual(candidate, p.hash());
    }

    private static Parsed parse(String hash) {
        if (hash == null) {
            return null;
        }
        String[] parts = hash.split("\\$", -1);
        if (parts.length != 4 || !PREFIX.equals(parts[0])) {
            return null;
        }
        try {
            int it = Integer.parseInt(parts[1]);
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] h = Base64.getDecoder().decode(parts[3]);
            if (it < 1 || it > MAX_ITERATIONS || salt.length < 8 || h.length < 16 || h.length > 64) {
                return null;
            }
            return new Parsed(it, salt, h);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] derive(String password, byte[] salt, int iterations, int bits) {
        PBEKeySpec spec = new PBEKeySpec(password.toCharArray(), salt, iterations, bits);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        } finally {
            spec.clearPassword();
        }
    }

    private record Parsed(int iterations, byte[] salt, byte[] hash) {
    }
}
