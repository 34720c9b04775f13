package com.aoaigw.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.Secret;
import com.aoaigw.proxy.api.ClientIdentity;

class KeyIndexTest {
    private final KeyIndex index = KeyIndex.of(List.of(
            new ClientKey("plain", Secret.of("sk-plain"), null, null),
            new ClientKey("hashed", Secret.of("sha256:" + HexFormat.of().formatHex(KeyIndex.sha256("sk-hashed"))), null,
                    List.of("m1")),
            new ClientKey("upper", Secret.of("sha256:" + HexFormat.of().formatHex(KeyIndex.sha256("sk-up")).toUpperCase()),
                    null, null),
            new ClientKey("off", Secret.of("sk-off"), "disabled", null),
            new ClientKey("empty", Secret.of(""), null, null)));

    @Test
    void plainAndHashedKeysAuthenticate() {
        assertEquals("plain", index.authenticate("sk-plain").orElseThrow().id());
        assertEquals("hashed", index.authenticate("sk-hashed").orElseThrow().id());
        assertEquals("upper", index.authenticate("sk-up").orElseThrow().id());
    }

    @Test
    void wrongDisabledEmptyAndHashTextAreRefused() {
        assertTrue(index.authenticate("sk-plai").isEmpty());
        assertTrue(index.authenticate("sk-off").isEmpty());
        assertTrue(index.authenticate("").isEmpty());
        assertTrue(index.authenticate(null).isEmpty());
        // presenting the stored hash itself must not work
        assertTrue(index.authenticate("sha256:" + HexFormat.of().formatHex(KeyIndex.sha256("sk-hashed"))).isEmpty());
    }

    @Test
    void allowlistComesWithIdentity() {
        ClientIdentity id = ClientIdentity.of(index.authenticate("sk-hashed").orElseThrow());
        assertTrue(id.allows("m1"));
        assertTrue(!id.allows("m2"));
        assertTrue(ClientIdentity.of(index.authenticate("sk-plain").orElseThrow()).allows("anything"));
    }
}
