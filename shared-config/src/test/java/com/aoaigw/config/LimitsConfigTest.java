package com.aoaigw.config;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** apiKeys[].limits/expiresAt/owner/note, models[].limits/pricing and server.sharedState: parsing and validation. */
@Timeout(30)
class LimitsConfigTest {
    private static final String DOC = """
            {
              "server": {"sharedState": {"mode": "redis", "redisUrl": "env:REDIS_URL", "onRedisDown": "reject"}},
              "apiKeys": [{"id": "team-a", "key": "k-a", "owner": "Team A", "note": "pilot",
                           "expiresAt": "2099-01-01T00:00:00Z",
                           "limits": {"rpm": 60, "tpm": 40000, "maxConcurrent": 4, "tokensPerDay": 1000000,
                                      "tokensPerMonth": 20000000, "budgetPerMonth": 50.5}},
                          {"id": "free", "key": "k-b"}],
              "upstreams": [{"name": "u", "baseUrl": "https://u.example/"}],
              "models": [{"id": "m", "upstream": "u", "limits": {"rpm": 600, "tpm": 1000000, "maxConcurrent": 50},
                          "pricing": {"inputPer1M": 0.25, "cachedInputPer1M": 0.025, "outputPer1M": 2}}]
            }
            """;

    @Test
    void fieldsParseWithDefaultsAndRoundTrip() {
        ConfigLoader loader = new ConfigLoader(Map.of("REDIS_URL", "rediss://:pw@cache.example:6380")::get);
        GatewayConfig c = loader.load(DOC).config();
        ClientKey k = c.apiKeys().get(0);
        assertEquals(new KeyLimits(60, 40000, 4, 1_000_000L, 20_000_000L, 50.5), k.limits());
        assertEquals(Instant.parse("2099-01-01T00:00:00Z"), k.expiry().orElseThrow());
        assertEquals("Team A", k.owner());
        assertEquals("pilot", k.note());
        assertNull(c.apiKeys().get(1).limits());
        ModelRoute m = c.models().get(0);
        assertEquals(new ModelLimits(600, 1_000_000, 50), m.limits());
        assertEquals("USD", m.pricing().currency());
        // 1M prompt of which 400k cached, 100k completion
        assertEquals(0.6 * 0.25 + 0.4 * 0.025 + 0.1 * 2, m.pricing().cost(1_000_000, 400_000, 100_000), 1e-9);
        SharedStateSettings s = c.server().sharedState();
        assertTrue(s.redis());
        assertEquals("rediss://:pw@cache.example:6380", s.redisUrl().reveal());
        assertEquals("aoaigw:", s.keyPrefix());
        assertEquals("reject", s.onRedisDown());
        String written = loader.write(c);
        assertTrue(written.contains("env:REDIS_URL"), written);
        assertFalse(written.contains(":pw@"), written);
        assertEquals(c, loader.load(written).config());
    }

    @Test
    void defaultsAreLocalAndUnlimited() {
        GatewayConfig c = new ConfigLoader(n -> null).load(TestDocs.valid("m")).config();
        assertEquals(SharedStateSettings.defaults(), c.server().sharedState());
        assertEquals("local", c.server().sharedState().mode());
        assertEquals("local", c.server().sharedState().onRedisDown());
        assertNull(c.apiKeys().get(0).limits());
        assertTrue(c.apiKeys().get(0).expiry().isEmpty());
    }

    @Test
    void everyBadValueIsReportedWithItsPath() {
        String bad = """
                {
                  "server": {"sharedState": {"mode": "cluster", "onRedisDown": "fail", "keyPrefix": "a b"}},
                  "apiKeys": [{"id": "a", "key": "k-a", "expiresAt": "tomorrow",
                               "limits": {"rpm": 0, "tpm": -5, "maxConcurrent": 0, "tokensPerDay": 0,
                                          "tokensPerMonth": -1, "budgetPerMonth": 0, "rph": 3}}],
                  "upstreams": [{"name": "u", "baseUrl": "https://u.example/"}],
                  "models": [{"id": "m", "upstream": "u", "limits": {"rpm": -1},
                              "pricing": {"inputPer1M": -1, "outputPer1M": "2", "currency": "$"}}]
                }
                """;
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(n -> null).load(bad));
        List<String> paths = e.problems().stream().map(ConfigProblem::path).toList();
        for (String p : List.of("server.sharedState.mode", "server.sharedState.onRedisDown",
                "server.sharedState.keyPrefix", "apiKeys[0].expiresAt", "apiKeys[0].limits.rpm",
                "apiKeys[0].limits.tpm", "apiKeys[0].limits.maxConcurrent", "apiKeys[0].limits.tokensPerDay",
                "apiKeys[0].limits.tokensPerMonth", "apiKeys[0].limits.budgetPerMonth", "apiKeys[0].limits.rph",
                "models[0].limits.rpm", "models[0].pricing.inputPer1M", "models[0].pricing.outputPer1M",
                "models[0].pricing.currency")) {
            assertTrue(paths.contains(p), p + " missing in " + e.problems());
        }
    }

    @Test
    void redisModeNeedsAUsableUrlAndNeverEchoesIt() {
        String doc = TestDocs.valid("m").replaceFirst("\\{", "{\"server\": {\"sharedState\": {\"mode\": \"redis\"}},");
        ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(n -> null).load(doc));
        assertEquals("server.sharedState.redisUrl", e.problems().get(0).path());
        String http = doc.replace("\"mode\": \"redis\"", "\"mode\": \"redis\", \"redisUrl\": \"http://:s3cret@h:1\"");
        ConfigException e2 = assertThrows(ConfigException.class, () -> new ConfigLoader(n -> null).load(http));
        assertTrue(e2.problems().get(0).toString().contains("not a redis:// or rediss:// URL"), e2.problems().toString());
        assertFalse(e2.problems().toString().contains("s3cret"));
        // an unset env reference is a warning: the document loads, the admin page shows it
        String ref = doc.replace("\"mode\": \"redis\"", "\"mode\": \"redis\", \"redisUrl\": \"env:NOPE\"");
        LoadedConfig loaded = new ConfigLoader(n -> null).load(ref);
        assertTrue(loaded.warnings().stream().anyMatch(w -> w.path().equals("server.sharedState.redisUrl")));
        assertEquals(List.of("server.sharedState.redisUrl"),
                SecretRefs.list(loaded.config()).stream().map(SecretRefs.SecretRef::path).toList());
    }
}
