package com.aoaigw.caddy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import com.aoaigw.config.caddy.CaddyfileRenderer;

@Timeout(5)
class ManagerSettingsTest {
    @Test
    void defaults() {
        ManagerSettings s = ManagerSettings.from(Map.of("CONFIG_PATH", "data/config.json")::get);
        assertEquals("caddy", s.caddyBin());
        assertEquals(Path.of("data/caddy").toAbsolutePath().normalize(), s.dataDir());
        assertEquals("http://127.0.0.1:3000", s.proxyAdminUrl().toString());
        assertTrue(s.token().isEmpty());
        assertEquals(Duration.ofSeconds(30), s.reportInterval());
        assertEquals(Duration.ofSeconds(5), s.probeInterval());
        assertNull(s.defaultBind());
        assertNull(s.acmeCaUrl());
        assertTrue(s.skipInstallTrust());
        assertEquals(s.dataDir().resolve("Caddyfile"), s.caddyfile());
        assertEquals(s.dataDir().resolve("xdg/config/caddy/autosave.json"), s.command().autosave());
        assertEquals(s.dataDir().toString(), s.renderOptions().storageRoot());
    }

    @Test
    void readsEnvironmentThroughHelidonConfig() {
        // Main's lookup: Helidon Config over the environment, here a map standing in for it
        Config config = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource()
                .addSource(ConfigSources.create(Map.of("CADDY_BIN", "/opt/caddy", "CADDY_DATA_DIR", "x/caddy",
                        "CADDY_MANAGER_TOKEN", "s3cret", "CADDY_REPORT_INTERVAL_MS", "1500",
                        "CADDY_SKIP_INSTALL_TRUST", "false", "CADDY_ACME_CA_URL", "http://127.0.0.1:9/directory")))
                .build();
        ManagerSettings s = ManagerSettings.from(k -> config.get(k).asString().orElse(null));
        assertEquals("/opt/caddy", s.caddyBin());
        assertEquals(Path.of("x/caddy").toAbsolutePath().normalize(), s.dataDir());
        assertEquals("s3cret", s.token().reveal());
        assertFalse(s.token().toString().contains("s3cret"));
        assertEquals(Duration.ofMillis(1500), s.reportInterval());
        assertFalse(s.skipInstallTrust());
        assertEquals("http://127.0.0.1:9/directory", s.renderOptions().acmeCaUrl());
    }

    @Test
    void refusesANonNumberInterval() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ManagerSettings.from(Map.of("CADDY_PROBE_INTERVAL_MS", "soon")::get));
        assertTrue(e.getMessage().startsWith("CADDY_PROBE_INTERVAL_MS is 'soon'"), e.getMessage());
    }

    @Test
    void issuerKeysMatchCaddysStorageLayout() {
        assertEquals("acme-v02.api.letsencrypt.org-directory",
                CertificateInspector.issuerKey(CaddyfileRenderer.LETS_ENCRYPT));
        assertEquals("acme-staging-v02.api.letsencrypt.org-directory",
                CertificateInspector.issuerKey(CaddyfileRenderer.LETS_ENCRYPT_STAGING));
        assertEquals("127.0.0.1:1-directory", CertificateInspector.issuerKey("http://127.0.0.1:1/directory"));
    }

    @Test
    void readsTheTokenFileTheProxyCreated(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        // The proxy started first and created the file (compose: both name /app/data/caddy-manager.token).
        Path file = tmp.resolve("caddy-manager.token");
        String proxysToken = com.aoaigw.config.SharedTokenFile.resolve(Map.of("CADDY_MANAGER_TOKEN_FILE",
                file.toString())::get).reveal();
        ManagerSettings s = ManagerSettings.from(Map.of("CADDY_MANAGER_TOKEN_FILE", file.toString())::get);
        assertEquals(proxysToken, s.token().reveal());
        assertEquals(64, proxysToken.length());
        // A token set by the operator wins over the file.
        assertEquals("mine", ManagerSettings.from(Map.of("CADDY_MANAGER_TOKEN_FILE", file.toString(),
                "CADDY_MANAGER_TOKEN", "mine")::get).token().reveal());
    }
}
