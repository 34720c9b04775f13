package com.aoaigw.proxy.admin;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import com.aoaigw.config.ConfigLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Unit tests of the admin package's pure parts. */
@Timeout(30)
class AdminUnitsTest {
    private static final ObjectMapper M = new ObjectMapper();
    private static final String MINIMAL = "\"apiKeys\": [{\"id\": \"k\", \"key\": \"client-key-0123456789abcdef\"}],"
            + " \"upstreams\": [{\"name\": \"u\", \"baseUrl\": \"http://127.0.0.1:1/\"}],"
            + " \"models\": [{\"id\": \"m\", \"upstream\": \"u\"}]";

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));

        public ZoneOffset getZone() { return ZoneOffset.UTC; }
        public Clock withZone(java.time.ZoneId zone) { return this; }
        public Instant instant() { return now.get(); }
        void advance(Duration d) { now.set(now.get().plus(d)); }
    }

    @Test
    void passwordHashRoundTripAndRejectsTampering() {
        PasswordHasher h = new PasswordHasher(new SecureRandom(), 1000);
        String hash = h.hash("s3cret");
        assertTrue(hash.startsWith("pbkdf2-sha256$1000$"));
        assertTrue(h.verify("s3cret", hash));
        assertFalse(h.verify("s3cret ", hash));
        assertFalse(h.verify("s3cret", hash.replace("pbkdf2-sha256", "pbkdf2-sha1")));
        assertFalse(h.verify("s3cret", "pbkdf2-sha256$0$AAAA$AAAA"));
        assertFalse(PasswordHasher.wellFormed("plain"));
        assertTrue(AdminAuthenticator.weak("admin", "ADMIN"));
        assertTrue(AdminAuthenticator.weak("ops", "ops"));
        assertTrue(AdminAuthenticator.weak("ops", "change-me"));
        assertFalse(AdminAuthenticator.weak("ops", "a-long-real-password"));
    }

    @Test
    void throttleDelaysThenLocksThenForgets() {
        MutableClock clock = new MutableClock();
        LoginThrottle t = new LoginThrottle(LoginThrottle.Policy.defaults(), clock);
        for (int i = 0; i < 2; i++) {
            t.failure("ip:a");
            assertTrue(t.blockedFor("ip:a").isEmpty());
        }
        t.failure("ip:a");
        assertEquals(Duration.ofSeconds(1), t.blockedFor("ip:a").orElseThrow());
        t.failure("ip:a");
        assertEquals(Duration.ofSeconds(2), t.blockedFor("ip:a", "user:x").orElseThrow());
        for (int i = 0; i < 6; i++) {
            t.failure("ip:a");
        }
        assertEquals(Duration.ofMinutes(15), t.blockedFor("ip:a").orElseThrow(), "locked after 10 failures");
        clock.advance(Duration.ofMinutes(16));
        assertTrue(t.blockedFor("ip:a").isEmpty());
        t.failure("ip:b");
        t.success("ip:b");
        assertTrue(t.blockedFor("ip:b").isEmpty());
    }

    @Test
    void sessionsExpireWhenIdleAndAbsolutely() {
        MutableClock clock = new MutableClock();
        SessionStore s = new SessionStore(Duration.ofMinutes(30), Duration.ofHours(12), clock);
        SessionStore.Session a = s.create("ops");
        clock.advance(Duration.ofMinutes(29));
        assertTrue(s.touch(a.id()).isPresent());
        clock.advance(Duration.ofMinutes(31));
        assertTrue(s.touch(a.id()).isEmpty(), "idle expiry");
        SessionStore.Session b = s.create("ops");
        for (int i = 0; i < 25; i++) {
            clock.advance(Duration.ofMinutes(29));
            s.touch(b.id());
        }
        assertTrue(s.touch(b.id()).isEmpty(), "absolute expiry");
        assertFalse(a.toString().contains(a.id()));
    }

    @Test
    void secretsAreMaskedAndRestoredByIdentity() throws Exception {
        JsonNode stored = M.readTree("""
                {"server":{"adminAuth":{"password":"pw-123456"}},"auth":{"apiKey":"env:UP_KEY"},
                 "apiKeys":[{"id":"a","key":"key-a-123456"},{"id":"b","key":"key-b-123456"}],
                 "upstreams":[{"name":"u1","auth":{"mode":"apiKey","apiKey":"up-1-123456"}}]}""");
        JsonNode masked = SecretMasker.mask(stored.deepCopy());
        assertEquals("********", masked.at("/server/adminAuth/password").asText());
        assertEquals("env:UP_KEY", masked.at("/auth/apiKey").asText());
        assertEquals("********", masked.at("/apiKeys/1/key").asText());
        assertEquals("********", masked.at("/upstreams/0/auth/apiKey").asText());
        // reorder the keys and add a new one: each mask finds its owner
        JsonNode candidate = M.readTree("""
                {"server":{"adminAuth":{"password":"********"}},"auth":{"apiKey":"env:UP_KEY"},
                 "apiKeys":[{"id":"b","key":"********"},{"id":"a","key":"********"},{"id":"c","key":"********"}],
                 "upstreams":[{"name":"u1","auth":{"mode":"apiKey","apiKey":"********"}}]}""");
        List<String> missing = SecretMasker.unmask(candidate, stored);
        assertEquals(List.of("apiKeys[2].key"), missing);
        assertEquals("key-b-123456", candidate.at("/apiKeys/0/key").asText());
        assertEquals("key-a-123456", candidate.at("/apiKeys/1/key").asText());
        assertEquals("pw-123456", candidate.at("/server/adminAuth/password").asText());
        assertEquals("up-1-123456", candidate.at("/upstreams/0/auth/apiKey").asText());
    }

    @Test
    void diffListsLeafPathsAndMasksSecrets() throws Exception {
        JsonNode a = M.readTree("{\"server\":{\"port\":3000},\"apiKeys\":[{\"id\":\"a\",\"key\":\"k1-123456\"}]}");
        JsonNode b = M.readTree("{\"server\":{\"port\":3001,\"host\":\"::\"},\"apiKeys\":[{\"id\":\"a\",\"key\":\"k2-123456\"}]}");
        List<ConfigDiff.Change> d = ConfigDiff.diff(a, b);
        assertEquals(3, d.size(), d.toString());
        assertEquals("server.port", d.get(0).path());
        assertEquals("changed", d.get(0).kind());
        assertEquals("apiKeys[0].key", d.get(1).path());
        assertEquals("********", d.get(1).newValue().asText());
        assertEquals("server.host", d.get(2).path());
        assertEquals("added", d.get(2).kind());
    }

    @Test
    void redactorScrubsNamesValuesAndBearerTokens() throws Exception {
        LogRedactor r = new LogRedactor(() -> List.of("the-secret-value"));
        assertEquals("x [REDACTED] y", r.text("x the-secret-value y"));
        assertEquals("Authorization: Bearer [REDACTED]", r.text("Authorization: Bearer abc.def-ghi"));
        JsonNode n = r.json(M.readTree("{\"clientSecret\":\"s\",\"cookie\":\"c\",\"key\":\"k\",\"keyId\":\"app\","
                + "\"promptTokens\":5,\"nested\":{\"x-api-key\":\"v\",\"msg\":\"has the-secret-value\"}}"));
        assertEquals("[REDACTED]", n.get("clientSecret").asText());
        assertEquals("[REDACTED]", n.get("cookie").asText());
        assertEquals("[REDACTED]", n.get("key").asText());
        assertEquals("app", n.get("keyId").asText());
        assertEquals(5, n.get("promptTokens").asInt());
        assertEquals("[REDACTED]", n.at("/nested/x-api-key").asText());
        assertEquals("has [REDACTED]", n.at("/nested/msg").asText());
    }

    @Test
    void logBufferDropsOldestAndFilters() {
        LogBuffer b = new LogBuffer(3);
        for (int i = 1; i <= 5; i++) {
            b.add(new LogEntry(0, Instant.EPOCH.plusSeconds(i), i % 2 == 0 ? "warn" : "info", "l", null, "m" + i,
                    "r" + i, null, null, 200 + i, null));
        }
        LogBuffer.Result all = b.query(new LogBuffer.Query(Set.of(), null, null, null, null, null, null, 0, 10));
        assertEquals(3, all.total());
        assertEquals("m5", all.items().get(0).message());
        assertEquals(5, all.lastId());
        assertEquals(1, b.query(new LogBuffer.Query(Set.of("warn"), null, null, null, null, null, null, 0, 10)).total());
        assertEquals(1, b.query(new LogBuffer.Query(Set.of(), null, "R3", null, null, null, null, 0, 10)).total());
        assertEquals(1, b.query(new LogBuffer.Query(Set.of(), null, null, null, null, null, null, 4, 10)).total());
        assertEquals(3, b.query(new LogBuffer.Query(Set.of(), null, null, null, null, "2xx", null, 0, 10)).total());
        assertEquals(LogBuffer.DEFAULT_SIZE, LogBuffer.sizeFrom(null));
        assertEquals(50, LogBuffer.sizeFrom("50"));
    }

    @Test
    void usageStatsWindowsAndPercentiles() {
        MutableClock clock = new MutableClock();
        UsageStats s = new UsageStats(clock);
        for (int i = 1; i <= 100; i++) {
            s.accept(new RequestRecord(clock.instant(), "m", "k", "u", i <= 5 ? 500 : 200, null, 10, 2, 1, i, i / 2));
        }
        clock.advance(Duration.ofMinutes(3));
        s.accept(new RequestRecord(clock.instant(), "m2", null, null, 200, null, 1, 1, 0, 1000, -1));
        UsageStats.Report m1 = s.report(UsageStats.Window.M1);
        assertEquals(1, m1.totals().requests());
        assertEquals(1, m1.byKey().get("-").requests());
        UsageStats.Report m5 = s.report(UsageStats.Window.M5);
        assertEquals(101, m5.totals().requests());
        assertEquals(5, m5.byModel().get("m").errors());
        assertEquals(50, m5.byModel().get("m").latencyMs().p50());
        assertEquals(95, m5.byModel().get("m").latencyMs().p95());
        assertEquals(1000, m5.byModel().get("m").promptTokens());
        assertEquals(60, m5.series().size());
        assertEquals(100, m5.series().get(56).requests());
        clock.advance(Duration.ofHours(2));
        assertEquals(0, s.report(UsageStats.Window.H1).totals().requests());
        assertEquals(101, s.report(UsageStats.Window.ALL).totals().requests());
    }

    @Test
    void cidrMatching() throws Exception {
        CidrMatcher m = CidrMatcher.parse(List.of("10.0.0.0/8", "192.168.1.7", "2001:db8::/32"));
        assertTrue(m.allows(InetAddress.getByName("10.200.1.1")));
        assertFalse(m.allows(InetAddress.getByName("11.0.0.1")));
        assertTrue(m.allows(InetAddress.getByName("192.168.1.7")));
        assertFalse(m.allows(InetAddress.getByName("192.168.1.8")));
        assertTrue(m.allows(InetAddress.getByName("2001:db8::1")));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse(List.of("example.com/8")));
        assertThrows(IllegalArgumentException.class, () -> CidrMatcher.parse(List.of("10.0.0.0/33")));
    }

    @Test
    void caddyfilePreview() {
        var cfg = new ConfigLoader().load("""
                {"server":{"caddy":{"enabled":true,"domain":"gw.example.com","email":"ops@example.com","ca":"internal",
                 "transport":{"dialTimeoutMs":1500}}}, %s}""".formatted(MINIMAL)).config();
        String f = new RendererCaddyfilePreview().render(cfg);
        assertTrue(f.contains("\tadmin 127.0.0.1:2019\n"), f);
        assertTrue(f.contains("gw.example.com:443 {\n\ttls internal\n"), f);
        assertTrue(f.contains("dial_timeout 2s"), f);
        assertTrue(f.contains("response_header_timeout 45s"), f);
        assertTrue(f.contains("protocols h1 h2"), f);
        String off = new RendererCaddyfilePreview().render(new ConfigLoader().load("{" + MINIMAL + "}").config());
        assertTrue(off.contains("enabled is false"));
    }
}
