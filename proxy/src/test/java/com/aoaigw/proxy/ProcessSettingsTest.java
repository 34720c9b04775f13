package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ProcessSettingsTest {
    @Test
    void defaults() {
        ProcessSettings s = ProcessSettings.from(Map.<String, String>of()::get);
        assertNull(s.port());
        assertEquals(52_428_800L, s.bodyLimit());
        assertEquals(1000, s.adminLogBufferSize());
        assertEquals("./config/config.json", s.store().configPath());
        assertEquals(List.of(), s.forwardHeaders());
    }

    @Test
    void aliasesAndOverrides() {
        assertEquals(1000L, ProcessSettings.from(Map.of("SERVER_BODY_LIMIT", "1000")::get).bodyLimit());
        assertEquals(2000L, ProcessSettings.from(Map.of("SERVER_BODY_LIMIT", "1000", "BODY_LIMIT", "2000")::get).bodyLimit());
        ProcessSettings s = ProcessSettings.from(Map.of("PORT", "8080", "CONFIG_PATH", "conf/c.json",
                "UPSTREAM_FORWARD_HEADERS", "x-a, x-sim-* ,", "ADMIN_LOG_BUFFER_SIZE", "50")::get);
        assertEquals(8080, s.port());
        assertEquals("conf/c.json", s.store().configPath());
        assertEquals(List.of("x-a", "x-sim-*"), s.forwardHeaders());
        assertEquals(50, s.adminLogBufferSize());
    }

    @Test
    void logLevels() {
        assertEquals(java.util.logging.Level.FINE, Main.julLevel("debug"));
        assertEquals(java.util.logging.Level.WARNING, Main.julLevel("WARN"));
        assertEquals(java.util.logging.Level.SEVERE, Main.julLevel("error"));
        assertEquals(java.util.logging.Level.INFO, Main.julLevel("nonsense"));
    }
}
