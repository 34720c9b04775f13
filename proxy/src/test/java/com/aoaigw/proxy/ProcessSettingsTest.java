package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.upstream.PoolOverrides;

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
    void theOriginalsPoolVariablesOverrideTheDocument() {
        ProcessSettings s = ProcessSettings.from(Map.of("UPSTREAM_MAX_CONNECTIONS", "64",
                "UPSTREAM_KEEPALIVE_TIMEOUT_MS", "4000", "UPSTREAM_KEEPALIVE_MAX_TIMEOUT_MS", "600000",
                "UPSTREAM_HEADERS_TIMEOUT_MS", "120000", "UPSTREAM_BODY_TIMEOUT_MS", "0", "UPSTREAM_PIPELINING", "2")::get);
        UpstreamSettings.Pool document = new UpstreamSettings.Pool(8, 1L, 2L, 3L, 4L, 1);
        UpstreamSettings base = new com.aoaigw.config.ConfigLoader().load("""
                {"server":{"upstream":{"connectTimeoutMs":5000,"maxRetries":2}},
                 "auth":{"mode":"apiKey","apiKey":"k"},"apiKeys":[{"id":"a","key":"client-key-1"}],
                 "upstreams":[{"name":"u","baseUrl":"http://127.0.0.1:9"}],"models":[{"id":"m","upstream":"u"}]}
                """).config().server().upstream();
        UpstreamSettings.Pool p = s.poolOverrides().apply(base.withPool(document)).pool();
        assertEquals(new UpstreamSettings.Pool(64, 4000L, 600000L, 120000L, 0L, 2), p);
        // one variable: only that value changes
        UpstreamSettings one = ProcessSettings.from(Map.of("UPSTREAM_MAX_CONNECTIONS", " 16 ")::get).poolOverrides()
                .apply(base.withPool(document));
        assertEquals(new UpstreamSettings.Pool(16, 1L, 2L, 3L, 4L, 1), one.pool());
        assertEquals(5000L, one.connectTimeoutMs());
        assertEquals(2, one.maxRetries());
        assertEquals(PoolOverrides.NONE, ProcessSettings.from(Map.<String, String>of()::get).poolOverrides());
        for (Map<String, String> bad : List.of(Map.of("UPSTREAM_MAX_CONNECTIONS", "0"),
                Map.of("UPSTREAM_PIPELINING", "two"), Map.of("UPSTREAM_BODY_TIMEOUT_MS", "-1"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessSettings.from(bad::get));
            assertTrue(e.getMessage().startsWith(bad.keySet().iterator().next() + " is '"), e.getMessage());
        }
    }

    @Test
    void poolOverridesReachTheUpstreamClientForEveryConfigVersion() {
        ProcessSettings s = ProcessSettings.from(Map.of("UPSTREAM_MAX_CONNECTIONS", "64", "CONFIG_PATH", "unused.json")::get);
        com.aoaigw.proxy.config.ConfigHolder holder = new com.aoaigw.proxy.config.ConfigHolder(new com.aoaigw.config.ConfigLoader());
        com.aoaigw.proxy.upstream.HttpUpstreamClient upstream = ProxyServer.upstreamClient(holder,
                new com.aoaigw.proxy.upstream.CredentialCache(), s.poolOverrides());
        String doc = """
                {"server":{"upstream":{"pool":{"connections":%d}}},
                 "auth":{"mode":"apiKey","apiKey":"k"},"apiKeys":[{"id":"a","key":"client-key-1"}],
                 "upstreams":[{"name":"u","baseUrl":"http://127.0.0.1:9"}],"models":[{"id":"m","upstream":"u"}]}
                """;
        holder.apply(doc.formatted(8), "v1");
        assertEquals(64, upstream.settings().pool().connections());
        holder.apply(doc.formatted(16), "v2");
        assertEquals(64, upstream.settings().pool().connections());
    }

    @Test
    void logLevels() {
        assertEquals(java.util.logging.Level.FINE, Main.julLevel("debug"));
        assertEquals(java.util.logging.Level.WARNING, Main.julLevel("WARN"));
        assertEquals(java.util.logging.Level.SEVERE, Main.julLevel("error"));
        assertEquals(java.util.logging.Level.INFO, Main.julLevel("nonsense"));
    }
}
