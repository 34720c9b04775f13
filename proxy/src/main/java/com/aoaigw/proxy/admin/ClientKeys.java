package com.aoaigw.proxy.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

import com.aoaigw.config.ClientKey;

/** New client keys: {@code sk-aoai-} plus 32 random base62 characters, stored as {@code sha256:<hex>}. */
public final class ClientKeys {
    /** The prefix of generated keys. */
    public static final String PREFIX = "sk-aoai-";
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private final SecureRandom random;

    /**
     * @param random randomness source
     */
    public ClientKeys(SecureRandom random) {
        this.random = random;
    }

    /** @return a new key */
    public String generate() {
        return PREFIX + randomBase62(32);
    }

    /**
     * @param length characters
     * @return random base62 text (unbiased)
     */
    public String randomBase62(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return sb.toString();
    }

    /**
     * @param key a key
     * @return what the config stores for it
     */
    public static String hashed(String key) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return ClientKey.SHA256_PREFIX + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
