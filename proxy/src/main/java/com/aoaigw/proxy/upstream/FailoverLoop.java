package com.aoaigw.proxy.upstream;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.route.DeploymentPool;
import com.aoaigw.proxy.route.ModelRouter;
import com.aoaigw.proxy.route.PoolState;
import com.aoaigw.proxy.route.Pools;
import com.aoaigw.proxy.route.RouteKey;
import com.aoaigw.proxy.route.RoutePlan;
import com.aoaigw.proxy.translate.SseEvent;

import io.helidon.http.HeaderNames;

/**
 * The attempts of one request across its deployment pool and fallback models, all before anything reached the
 * client.
 *
 * <ol>
 *   <li>Each model in turn (the requested one, then its allowed fallbacks): its pool chooses an eligible deployment
 *       (priority tier, then smooth weighted round robin), the attempt is made, and on a connect failure (refused,
 *       DNS, unreachable, connect timeout, TLS), a 429, a {@code retryStatuses} status, or a first-byte timeout
 *       (when {@code failoverOnTimeout}) the next eligible deployment is tried at once, without a wait. A stream
 *       counts as answered only once its first event arrived.</li>
 *   <li>When every deployment of every model was tried or is unavailable and the last answer may be retried,
 *       up to {@code maxRetries} retries on the requested model's pool, each after the upstream's retry-after or
 *       the backoff (and not before a deployment is eligible again), when that fits in {@code requestTimeoutMs}.</li>
 *   <li>The whole is bounded by {@code maxAttempts} (default: the deployments of all the models + {@code maxRetries}).</li>
 * </ol>
 *
 * Outcomes feed the pool state: a 429 cools the deployment down for its retry-after (capped by
 * {@code retryAfterMaxMs}; 10 s when Azure gives none), failures count against its circuit, answers close it, and
 * every {@code azure-openai-deployment-utilization} is remembered. A model with a single deployment and no
 * fallback is never skipped (there is nowhere else to send the request; its state is still recorded and shown).
 * When nothing could be tried at all (every
 * deployment cooling or open) the client gets 429 {@code all_deployments_busy} with the soonest time one is back.
 * When everything tried failed, the last upstream answer goes to the client as it is (Azure's 429 with its
 * headers), or else the last failure.
 */
public final class FailoverLoop {
    /** Cooldown after a 429 without any retry-after header. */
    public static final long DEFAULT_COOLDOWN_MS = 10_000;
    private static final String UTILISATION = "azure-openai-deployment-utilization";
    private static final io.helidon.http.HeaderName UTILISATION_HEADER = HeaderNames.create(UTILISATION);

    private final UpstreamClient client;
    private final ModelRouter router;
    private final Pools pools;

    /**
     * @param client the upstream client
     * @param router plans per deployment
     * @param pools  the pools and their state
     */
    public FailoverLoop(UpstreamClient client, ModelRouter router, Pools pools) {
        this.client = client;
        this.router = router;
        this.pools = pools;
    }

    /** Builds the upstream request of one deployment (the body names its deployment; a fallback model translates differently). */
    @FunctionalInterface
    public interface RequestFactory {
        /**
         * @param plan where the attempt goes
         * @return the request
         */
        UpstreamClient.Request request(RoutePlan plan);
    }

    /**
     * Runs the attempts.
     *
     * @param config  the request's config version
     * @param route   the client's operation
     * @param models  the requested model, then the fallbacks the client may use (in order)
     * @param stream  whether the client asked for a stream (its first event is then awaited here)
     * @param factory builds each attempt's request
     * @param watch   the exchange's watchdog
     * @return the answer to relay
     * @throws Failed when no answer can be given (the attempts are in it)
     */
    public Result run(GatewayConfig config, RouteKey route, List<ModelRoute> models, boolean stream,
                      RequestFactory factory, Watchdog.Watch watch) {
        UpstreamSettings us = config.server().upstream();
        List<DeploymentPool> pp = new ArrayList<>(models.size());
        int total = 0;
        for (ModelRoute m : models) {
            DeploymentPool p = pools.pool(config, m);
            pp.add(p);
            total += p.size();
        }
        Run run = new Run(config, route, stream, factory, watch, us, us.attemptLimit(total));
        // one deployment and no fallback: there is nowhere else to go, so its health never keeps a request from it
        boolean alone = total == 1;
        try {
            for (DeploymentPool p : pp) {
                boolean[] tried = new boolean[p.size()];
                while (run.attempts.size() < run.limit) {
                    long now = pools.now();
                    int idx = alone ? (tried[0] ? -1 : 0) : p.select(tried, now);
                    if (idx < 0) {
                        run.soonest = Math.min(run.soonest, p.soonestEligible(now));
                        break;
                    }
                    tried[idx] = true;
                    Result r = run.attempt(p, idx);
                    if (r != null) {
                        return r;
                    }
                    if (run.stop) {
                        return run.end();
                    }
                }
            }
            // everything was tried or is unavailable: retries with a wait, on the requested model's pool
            DeploymentPool primary = pp.get(0);
            RetryPolicy policy = new RetryPolicy(us);
            while (run.lastRetryable && run.retries < us.maxRetries() && run.attempts.size() < run.limit) {
                OptionalLong wait = policy.delay(run.retries, run.lastRetryAfter, watch.remainingMs(),
                        ThreadLocalRandom.current()::nextDouble);
                if (wait.isEmpty()) {
                    break;
                }
                long w = alone ? wait.getAsLong()
                        : Math.max(wait.getAsLong(), primary.soonestEligible(pools.now()) - pools.now());
                if (w >= watch.remainingMs()) {
                    break;
                }
                run.retries++;
                sleep(w);
                int idx = alone ? 0 : primary.select(new boolean[primary.size()], pools.now());
                if (idx < 0) {
                    continue;
                }
                Result r = run.attempt(primary, idx);
                if (r != null) {
                    return r;
                }
                if (run.stop) {
                    break;
                }
            }
            return run.end();
        } catch (RuntimeException e) {
            run.closeLast();
            throw e;
        }
    }

    /** The state of one request's attempts. */
    private final class Run {
        final GatewayConfig config;
        final RouteKey route;
        final boolean stream;
        final RequestFactory factory;
        final Watchdog.Watch watch;
        final UpstreamSettings us;
        final int limit;
        final List<Attempt> attempts = new ArrayList<>(2);
        long soonest = Long.MAX_VALUE;
        int retries;
        /** The last answer that may go to the client when nothing better comes (kept open), or null. */
        UpstreamClient.Answer lastAnswer;
        RoutePlan lastAnswerPlan;
        ProxyException.UpstreamFailure lastFailure;
        boolean lastRetryable;
        OptionalLong lastRetryAfter = OptionalLong.empty();
        boolean stop;

        Run(GatewayConfig config, RouteKey route, boolean stream, RequestFactory factory, Watchdog.Watch watch,
            UpstreamSettings us, int limit) {
            this.config = config;
            this.route = route;
            this.stream = stream;
            this.factory = factory;
            this.watch = watch;
            this.us = us;
            this.limit = limit;
        }

        /** @return the result when this attempt is the answer, else null (and the next step is noted) */
        Result attempt(DeploymentPool pool, int idx) {
            DeploymentPool.Member member = pool.member(idx);
            PoolState state = pools.state();
            boolean settled = false;
            long t0 = System.nanoTime();
            RoutePlan plan = null;
            try {
                plan = router.route(config, route, pool.model(), idx);
                UpstreamClient.Request request = factory.request(plan);
                UpstreamClient.Answer a;
                try {
                    a = client.attempt(request, us, watch);
                } catch (UpstreamClient.Failure f) {
                    settled = true;
                    failed(plan, member, f.error(), t0);
                    return null;
                }
                UpstreamResponse up = a.response();
                int status = up.status();
                long now = pools.now();
                up.headers().first(UTILISATION_HEADER).ifPresent(v -> {
                    double u = percent(v);
                    if (u >= 0) {
                        state.utilisation(member.id(), u, now);
                    }
                });
                if (status == 429 || us.retryStatuses().contains(status)) {
                    settled = true;
                    OptionalLong after = RetryPolicy.retryAfterMs(
                            n -> up.headers().first(HeaderNames.create(n)).orElse(null), Instant.now());
                    if (status == 429) {
                        long cool = Math.min(after.orElse(DEFAULT_COOLDOWN_MS), us.retryAfterMaxMs());
                        state.rateLimited(member.id(), member.breaker(), now, now + Math.max(0, cool));
                    } else {
                        state.failed(member.id(), member.breaker(), now, Integer.toString(status));
                    }
                    attempts.add(new Attempt(plan, status, status == 429 ? "rate_limited" : "upstream_" + status,
                            ms(t0), t0, System.nanoTime()));
                    keep(a, plan);
                    lastRetryable = true;
                    lastRetryAfter = after;
                    return null;
                }
                SseFramer framer = null;
                SseEvent first = null;
                boolean sse = up.headers().contentType().map(ct -> ct.mediaType().text().toLowerCase(Locale.ROOT)
                        .startsWith("text/event-stream")).orElse(false);
                if (stream && sse && status >= 200 && status < 300) {
                    framer = new SseFramer(up.inputStream());
                    try {
                        first = firstEvent(framer, a.sentAtNanos());
                    } catch (ProxyException.UpstreamFailure f) {
                        up.close();
                        settled = true;
                        failed(plan, member, f, t0);
                        return null;
                    }
                }
                settled = true;
                state.succeeded(member.id(), member.breaker(), pools.now());
                attempts.add(new Attempt(plan, status, null, ms(t0), t0, System.nanoTime()));
                closeLast();
                return new Result(plan, a, framer, first, List.copyOf(attempts));
            } finally {
                if (!settled) {
                    // the request could not be built, or something unexpected: the deployment told us nothing
                    state.released(member.id());
                }
            }
        }

        private void failed(RoutePlan plan, DeploymentPool.Member member, ProxyException.UpstreamFailure f, long t0) {
            PoolState state = pools.state();
            attempts.add(new Attempt(plan, 0, f.code(), ms(t0), t0, System.nanoTime()));
            String code = f.code();
            boolean timeout = code.equals("upstream_first_byte_timeout");
            if (code.equals("invalid_upstream_credential") || code.equals("upstream_request_timeout")
                    || code.equals("client_disconnected")) {
                // our own configuration, the whole budget, or the client leaving: nothing about the deployment
                state.released(member.id());
            } else {
                state.failed(member.id(), member.breaker(), pools.now(), code);
            }
            boolean failover = UpstreamFailures.beforeRequest(f) || code.equals("upstream_tls_error")
                    || code.equals("upstream_empty_stream") || (timeout && us.failoverOnTimeout());
            if (timeout && failover && !watch.resetFirstByte()) {
                failover = false;
            }
            lastFailure = f;
            // a failure is newer than any earlier answer: that answer no longer goes to the client
            closeLast();
            // only failures before the request reached Azure are retried on the same pool after a wait
            lastRetryable = UpstreamFailures.beforeRequest(f);
            lastRetryAfter = OptionalLong.empty();
            stop = !failover;
        }

        private SseEvent firstEvent(SseFramer framer, long sentAt) {
            long deadline = sentAt + TimeUnit.MILLISECONDS.toNanos(us.firstByteTimeoutMs());
            SseEvent ev;
            do {
                // comment-only events (keep-alives) before the first real event neither count nor reach the client
                long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
                watch.arm(Watchdog.Phase.FIRST_BYTE, left);
                try {
                    ev = framer.next();
                } catch (IOException | RuntimeException e) {
                    Watchdog.Phase expired = watch.expired();
                    watch.disarm();
                    throw UpstreamFailures.classify(e, expired);
                } finally {
                    watch.disarm();
                }
            } while (ev != null && ev.data() == null && ev.event() == null);
            if (ev == null) {
                throw new ProxyException.UpstreamFailure(502, "upstream_empty_stream",
                        "The upstream ended the stream before sending any event.", null);
            }
            return ev;
        }

        private void keep(UpstreamClient.Answer a, RoutePlan plan) {
            closeLast();
            lastAnswer = a;
            lastAnswerPlan = plan;
            lastFailure = null;
        }

        void closeLast() {
            if (lastAnswer != null) {
                lastAnswer.response().close();
                lastAnswer = null;
                lastAnswerPlan = null;
            }
        }

        Result end() {
            if (lastAnswer != null) {
                return new Result(lastAnswerPlan, lastAnswer, null, null, List.copyOf(attempts));
            }
            if (lastFailure != null) {
                throw new Failed(lastFailure, List.copyOf(attempts));
            }
            long now = pools.now();
            long waitMs = soonest == Long.MAX_VALUE ? 1000 : Math.max(1, soonest - now);
            throw new Failed(new ProxyException.Busy(waitMs), List.copyOf(attempts));
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /**
     * @param v a header value such as {@code 42.5%} or {@code 42.5}
     * @return the percent, or -1 when unreadable
     */
    static double percent(String v) {
        String s = v.trim();
        if (s.endsWith("%")) {
            s = s.substring(0, s.length() - 1).trim();
        }
        try {
            double d = Double.parseDouble(s);
            return Double.isFinite(d) && d >= 0 ? d : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProxyException.UpstreamFailure(504, "upstream_request_timeout",
                    "The upstream exchange took longer than requestTimeoutMs.", e);
        }
    }

    /**
     * One attempt, for the access log and metrics.
     *
     * @param plan   where it went
     * @param status the upstream status, 0 without an answer
     * @param error  the failure code, or null for an answer that was used
     * @param ms     its duration
     * @param startNanos {@link System#nanoTime()} when it started (for its trace span)
     * @param endNanos   {@link System#nanoTime()} when its outcome was known
     */
    public record Attempt(RoutePlan plan, int status, String error, long ms, long startNanos, long endNanos) {
    }

    /**
     * The answer to relay.
     *
     * @param plan     the deployment that answered
     * @param answer   its response (the caller closes it)
     * @param framer   for a stream whose first event was read: the framer to read on, else null
     * @param first    that first event, else null
     * @param attempts every attempt, this one last
     */
    public record Result(RoutePlan plan, UpstreamClient.Answer answer, SseFramer framer, SseEvent first,
                         List<Attempt> attempts) {
    }

    /** No answer for the client; carries the error and every attempt. */
    public static final class Failed extends RuntimeException {
        private final ProxyException error;
        private final transient List<Attempt> attempts;

        Failed(ProxyException error, List<Attempt> attempts) {
            super(error.getMessage(), error, false, false);
            this.error = error;
            this.attempts = attempts;
        }

        /** @return the error for the client */
        public ProxyException error() {
            return error;
        }

        /** @return the attempts made */
        public List<Attempt> attempts() {
            return attempts;
        }
    }
}
