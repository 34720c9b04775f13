package com.aoaigw.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.aoaigw.config.Secret;
import com.aoaigw.config.UpstreamAuth;
import com.aoaigw.proxy.error.ProxyException;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;

import reactor.core.publisher.Mono;

@Timeout(20)
class CredentialCacheTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicBoolean fail = new AtomicBoolean();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    private final TokenCredential fake = new TokenCredential() {
        @Override
        public Mono<AccessToken> getToken(TokenRequestContext request) {
            return Mono.fromSupplier(() -> getTokenSync(request));
        }

        @Override
        public AccessToken getTokenSync(TokenRequestContext request) {
            int n = calls.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            if (fail.get()) {
                throw new IllegalStateException("token endpoint down");
            }
            return new AccessToken("tok-" + n, OffsetDateTime.ofInstant(now.get().plus(Duration.ofHours(1)), ZoneOffset.UTC));
        }
    };
    private final UpstreamAuth auth = new UpstreamAuth.ManagedIdentity(null, "scope/.default");
    private final CredentialCache cache = new CredentialCache(a -> fake, clock);

    @Test
    void apiKeyNeedsNoToken() {
        CredentialCache.AuthHeader h = cache.authorize(new UpstreamAuth.ApiKey(Secret.of("k")));
        assertEquals("api-key", h.name());
        assertEquals("k", h.value());
        assertEquals(0, calls.get());
    }

    @Test
    void cachedUntilFiveMinutesBeforeExpiry() {
        assertEquals("Bearer tok-1", cache.authorize(auth).value());
        now.set(now.get().plus(Duration.ofMinutes(54)));
        assertEquals("Bearer tok-1", cache.authorize(auth).value());
        now.set(now.get().plus(Duration.ofMinutes(2)));
        assertEquals("Bearer tok-2", cache.authorize(auth).value());
        assertEquals(2, calls.get());
    }

    @Test
    void concurrentFirstRequestsShareOneFetch() throws Exception {
        gate = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(20);
        List<Thread> threads = new ArrayList<>();
        List<String> values = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20; i++) {
            threads.add(Thread.ofVirtual().start(() -> {
                started.countDown();
                values.add(cache.authorize(auth).value());
            }));
        }
        started.await();
        // the token fetch is held at the gate until every caller is parked inside authorize: one in the fetch, the
        // others waiting for it (without the single-flight each of them would be in a fetch of its own)
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (threads.stream().anyMatch(t -> t.getState() == Thread.State.RUNNABLE || t.getState() == Thread.State.NEW)
                && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        gate.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, calls.get());
        assertEquals(20, values.stream().filter("Bearer tok-1"::equals).count());
    }

    @Test
    void failedRefreshKeepsTheValidTokenAndBacksOff() {
        cache.authorize(auth);
        now.set(now.get().plus(Duration.ofMinutes(57)));
        fail.set(true);
        assertEquals("Bearer tok-1", cache.authorize(auth).value());
        assertEquals("Bearer tok-1", cache.authorize(auth).value());
        assertEquals(2, calls.get(), "no second attempt within the 30 s backoff");
        now.set(now.get().plus(Duration.ofSeconds(31)));
        fail.set(false);
        assertEquals("Bearer tok-3", cache.authorize(auth).value());
    }

    @Test
    void noTokenAtAllIsAnUpstreamAuthError() {
        fail.set(true);
        ProxyException e = assertThrows(ProxyException.class, () -> cache.authorize(auth));
        assertEquals("upstream_auth_failed", e.code());
    }

    @Test
    void invalidateForcesAFreshToken() {
        CredentialCache.AuthHeader first = cache.authorize(auth);
        cache.invalidate(first);
        CredentialCache.AuthHeader second = cache.authorize(auth);
        assertNotEquals(first.value(), second.value());
        // invalidating the old one again does not drop the new one
        cache.invalidate(first);
        assertEquals(second.value(), cache.authorize(auth).value());
    }
}
