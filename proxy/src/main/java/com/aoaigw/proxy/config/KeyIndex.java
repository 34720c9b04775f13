package com.aoaigw.proxy.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.aoaigw.config.ClientKey;

/**
 * The client keys of one config snapshot, indexed by the SHA-256 digest of the key. Built once per snapshot so
 * that authenticating a request costs one SHA-256 and one map lookup, whatever the number of keys.
 *
 * <p>Comparison is on fixed-length digests with {@link MessageDigest#isEqual}, so neither the key's length nor a
 * common prefix leaks through timing. Plain keys are hashed when the index is built; {@code sha256:<hex>} keys
 * are used as stored. Disabled keys stay in the index (so a disabled key is recognised and refused the same way
 * as a wrong one) but never authenticate.
 */
public final class KeyIndex {
    private static final MessageDigest SHA256 = sha256Prototype();

    private final Map<String, Entry> byDigest;

    private KeyIndex(Map<String, Entry> byDigest) {
        this.byDigest = byDigest;
    }

    /**
     * @param keys the configured keys
     * @return the index
     */
    public static KeyIndex of(List<ClientKey> keys) {
        Map<String, Entry> map = new HashMap<>();
        HexFormat hex = HexFormat.of();
        for (ClientKey k : keys) {
            String raw = k.key().reveal();
            if (raw.isEmpty()) {
                continue;
            }
            byte[] digest;
            if (k.hashed()) {
                String h = raw.substring(ClientKey.SHA256_PREFIX.length()).trim().toLowerCase(java.util.Locale.ROOT);
                if (h.length() != 64) {
                    continue;
                }
                try {
                    digest = hex.parseHex(h);
                } catch (IllegalArgumentException e) {
                    continue;
                }
            } else {
                digest = sha256(raw);
            }
            // first entry wins for duplicates; the validator reports duplicates
            map.putIfAbsent(hex.formatHex(digest), new Entry(k, digest));
        }
        return new KeyIndex(Map.copyOf(map));
    }

    /**
     * @param presented the key the client sent (already trimmed)
     * @return the active key it matches
     */
    public Optional<ClientKey> authenticate(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        Entry e = byDigest.get(HexFormat.of().formatHex(digest));
        if (e == null || !MessageDigest.isEqual(digest, e.digest()) || !e.key().active()) {
            return Optional.empty();
        }
        return Optional.of(e.key());
    }

    /** @return number of indexed keys */
    public int size() {
        return byDigest.size();
    }

    /**
     * @param s text
     * @return its SHA-256 over UTF-8
     */
    public static byte[] sha256(String s) {
        MessageDigest md;
        try {
            // a clone skips the provider look-up that getInstance makes every time
            md = (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException x) {
                throw new IllegalStateException("SHA-256 is part of every JDK", x);
            }
        }
        return md.digest(s.getBytes(StandardCharsets.UTF_8));
    }

    private static MessageDigest sha256Prototype() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private record Entry(ClientKey key, byte[] digest) {
    }
}
