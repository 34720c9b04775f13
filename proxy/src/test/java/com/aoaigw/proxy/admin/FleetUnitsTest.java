package com.aoaigw.proxy.admin;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

import com.aoaigw.config.ConfigLoader;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.state.LocalConsoleStore;
import com.aoaigw.proxy.state.RedisConsoleStore;
import com.aoaigw.proxy.state.RedisProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The console across replicas, one class at a time: the gateway health rule (clients' 4xx never count), the fleet
 * view's flags, and sessions and the login throttle on two stores sharing one real redis-server.
 */
@Timeout(60)
class FleetUnitsTest {
    private static final long T0 = 1_796_464_800_000L;

    @Test
    void clientErrorsNeverMakeTheGatewayLookUnhealthy() {
        long[] now = {T0};
        GatewayHealth h = new GatewayHealth(() -> now[0]);
        for (int status : new int[] {200, 400, 401, 403, 404, 413, 429, 499, 200}) {
            h.record(status, 0);
        }
        GatewayHealth.Health v = GatewayHealth.evaluate(h.counts(), true, true);
        assertEquals("online", v.state(), v.toString());
        assertEquals(9, v.counts().requests());
        assertEquals(7, v.counts().clientErrors());
        assertEquals(0, v.counts().gatewayErrors());
    }

    @Test
    void gatewayErrorsDegradeAndAMajorityOfThemIsDown() {
        long[] now = {T0};
        GatewayHealth h = new GatewayHealth(() -> now[0]);
        for (int i = 0; i < 9; i++) {
            h.record(200, 0);
        }
        h.record(502, 2);
        GatewayHealth.Health v = GatewayHealth.evaluate(h.counts(), true, true);
        assertEquals("degraded", v.state());
        assertEquals(List.of("gateway_errors", "upstream_failures"), v.reasons());
        for (int i = 0; i < 9; i++) {
            h.record(503, 1);
        }
        assertEquals("down", GatewayHealth.evaluate(h.counts(), true, true).state(), "10 of 19 answers were 5xx");
        // five minutes later the window holds nothing: online again
        now[0] += GatewayHealth.WINDOW_MS + 10_000;
        assertEquals("online", GatewayHealth.evaluate(h.counts(), true, true).state());
        assertEquals(0, h.counts().requests());
    }

    @Test
    void fewFailedAttemptsRecoveredByFailoverDoNotDegradeButManyDo() {
        long[] now = {T0};
        GatewayHealth h = new GatewayHealth(() -> now[0]);
        for (int i = 0; i < 20; i++) {
            h.record(200, i == 0 ? 1 : 0);
        }
        assertEquals("online", GatewayHealth.evaluate(h.counts(), true, true).state(), "1 failed attempt in 20");
        h.record(200, 2);
        assertEquals("degraded", GatewayHealth.evaluate(h.counts(), true, true).state(), "3 failed attempts in 21");
        assertTrue(GatewayHealth.failedAttempt(429, null));
        assertTrue(GatewayHealth.failedAttempt(0, "upstream_timeout"));
        assertFalse(GatewayHealth.failedAttempt(200, null));
        assertFalse(GatewayHealth.failedAttempt(400, null), "the upstream refusing a bad request is the client's");
    }

    @Test
    void noConfigIsDownAndAnUnreachableSharedStateIsDegraded() {
        GatewayHealth.Counts none = new GatewayHealth.Counts(0, 0, 0, 0);
        assertEquals("down", GatewayHealth.evaluate(none, false, true).state());
        GatewayHealth.Health v = GatewayHealth.evaluate(none, true, false);
        assertEquals("degraded", v.state());
        assertEquals(List.of("shared_state_down"), v.reasons());
    }

    @Test
    void theFleetViewFlagsAReplicaOnAnOlderConfigAndOneThatWentSilent() throws Exception {
        long[] now = {T0};
        MemoryConfigStore store = new MemoryConfigStore(AdminApiTest.CONFIG);
        ConfigHolder holder = new ConfigHolder(new ConfigLoader());
        holder.follow(store);
        assertEquals("v1", holder.current().etag(), holder.problem());
        AdminConfigAccess access = new AdminConfigAccess(holder, store);
        LocalConsoleStore console = new LocalConsoleStore(() -> now[0]);
        GatewayHealth health = new GatewayHealth(() -> now[0]);
        health.record(200, 0);
        FleetService fleet = new FleetService("self-1", console, access, health, () -> 3, () -> true,
                () -> now[0], "1.2.3", 5_000);
        // another replica, still on v1, with its own traffic
        ObjectNode other = fleet.self();
        other.put("id", "other-2");
        other.put("inFlight", 0);
        ((ObjectNode) other.path("health").path("counts")).put("requests", 10).put("gatewayErrors", 6);
        console.beat("other-2", other.toString(), 5_000 * FleetService.TTL_INTERVALS);
        store.externalWrite(AdminApiTest.CONFIG.replace("app2", "app3"));
        assertEquals("v2", holder.current().etag());

        JsonNode view = fleet.view("v2");
        assertEquals(2, view.path("replicas").size());
        JsonNode self = view.path("replicas").get(1).path("id").asText().equals("self-1")
                ? view.path("replicas").get(1) : view.path("replicas").get(0);
        JsonNode lag = self == view.path("replicas").get(0) ? view.path("replicas").get(1) : view.path("replicas").get(0);
        assertEquals("self-1", self.path("id").asText());
        assertTrue(self.path("self").asBoolean());
        assertTrue(self.path("configCurrent").asBoolean());
        assertEquals(3, self.path("inFlight").asInt());
        assertEquals("1.2.3", self.path("version").asText());
        assertEquals("other-2", lag.path("id").asText());
        assertFalse(lag.path("configCurrent").asBoolean(), "other-2 still serves v1");
        assertEquals("v1", lag.path("config").path("etag").asText());
        assertEquals(1, view.path("lagging").asInt());
        assertFalse(lag.path("silent").asBoolean());
        // the fleet's health sums the replicas: 6 gateway errors of 11 requests
        assertEquals("down", view.path("health").path("state").asText(), view.toString());
        assertEquals(11, view.path("health").path("counts").path("requests").asInt());

        now[0] += 16_000;
        JsonNode later = fleet.view("v2");
        JsonNode o = later.path("replicas").get(0).path("id").asText().equals("other-2")
                ? later.path("replicas").get(0) : later.path("replicas").get(1);
        assertTrue(o.path("silent").asBoolean(), "not heard from for three intervals");
        assertTrue(o.path("ageMs").asLong() >= 16_000);
        now[0] += 5_000 * FleetService.TTL_INTERVALS;
        assertEquals(1, fleet.view("v2").path("replicas").size(), "its heartbeat expired");
        // a replica that stops takes itself off the list at once
        fleet.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!console.replicas().containsKey("self-1") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(console.replicas().containsKey("self-1"), "the first heartbeat is sent at start");
        fleet.close();
        now[0] += 1;
        assertFalse(console.replicas().containsKey("self-1"), "gone after close");
    }

    @Test
    void sessionsAndTheThrottleSpanReplicasOnOneRedis() throws Exception {
        Clock clock = Clock.fixed(Instant.ofEpochMilli(T0), ZoneOffset.UTC);
        try (RedisProcess redis = RedisProcess.start(null);
             RedisConsoleStore a = new RedisConsoleStore(redis.url(), "gw:");
             RedisConsoleStore b = new RedisConsoleStore(redis.url(), "gw:")) {
            RedisProcess.awaitUp(a::up, b::up);
            SessionStore onA = new SessionStore(Duration.ofMinutes(30), Duration.ofHours(12), clock, a);
            SessionStore onB = new SessionStore(Duration.ofMinutes(30), Duration.ofHours(12), clock, b);
            SessionStore.Session s = onA.create("admin");
            Optional<SessionStore.Session> seen = onB.touch(s.id());
            assertTrue(seen.isPresent(), "a session made on A is valid on B");
            assertEquals("admin", seen.get().username());
            assertEquals(s.csrfToken(), seen.get().csrfToken());
            // Redis holds the token's hash, never the token
            RedisClient c = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> conn = c.connect()) {
                List<String> keys = conn.sync().keys("gw:admin:session:*");
                assertEquals(List.of("gw:admin:session:" + SessionStore.hash(s.id())), keys);
                assertFalse(conn.sync().get(keys.get(0)).contains(s.id()));
            } finally {
                c.shutdown();
            }
            onA.remove(s.id());
            assertTrue(onB.touch(s.id()).isEmpty(), "logout on A is logout on B");

            LoginThrottle.Policy policy = new LoginThrottle.Policy(2, Duration.ofSeconds(5), Duration.ofSeconds(60),
                    10, Duration.ofMinutes(15), Duration.ofMinutes(15));
            LoginThrottle tA = new LoginThrottle(policy, clock, a);
            LoginThrottle tB = new LoginThrottle(policy, clock, b);
            String[] subjects = LoginThrottle.subjects("10.0.0.1", "admin");
            assertTrue(tA.acquire(subjects).isEmpty());
            assertTrue(tB.acquire(subjects).isEmpty(), "the second attempt is evaluated, then blocks for 5 s");
            assertEquals(Optional.of(Duration.ofSeconds(5)), tA.acquire(subjects), "A sees B's failure");
            tB.success(subjects);
            assertTrue(tA.acquire(subjects).isEmpty(), "a success on B clears A's view too");
        }
    }
}
