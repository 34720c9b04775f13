package com.aoaigw.proxy.observe;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.Upstream;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.error.ErrorRenderer;
import com.aoaigw.proxy.error.ProxyException;
import com.aoaigw.proxy.upstream.CredentialCache;

import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;

/**
 * Health and metrics through Helidon's ObserveFeature at the root: {@code /metrics} (Prometheus text) and
 * {@code /health}, {@code /health/ready}, {@code /health/live}. Both are reachable only from loopback without a
 * proxy header ({@code X-Forwarded-For}/{@code Forwarded}), so they are not exposed through Caddy; everything
 * else gets 404. Readiness: a valid config is loaded, and every upstream's credential has a token (or an
 * api-key).
 */
public final class ObserveSetup {
    private ObserveSetup() {
    }

    /**
     * @param config      the config holder
     * @param credentials the upstream credential cache
     * @return the observe feature
     */
    public static ObserveFeature feature(ConfigHolder config, CredentialCache credentials) {
        return ObserveFeature.builder()
                .endpoint("/")
                .addObserver(HealthObserver.builder()
                        .details(true)
                        .addCheck(() -> {
                            ConfigSnapshot s = config.current();
                            return HealthCheckResponse.builder()
                                    .status(s != null)
                                    .detail("problem", String.valueOf(config.problem()))
                                    .build();
                        }, HealthCheckType.READINESS, "config")
                        .addCheck(() -> {
                            ConfigSnapshot s = config.current();
                            boolean ok = s != null;
                            HealthCheckResponse.Builder b = HealthCheckResponse.builder();
                            if (s != null) {
                                GatewayConfig g = s.config();
                                for (Upstream u : g.upstreams()) {
                                    com.aoaigw.config.UpstreamAuth a = g.effectiveAuth(u).resolve();
                                    if (a instanceof com.aoaigw.config.UpstreamAuth.ApiKey k && k.key().isEmpty()) {
                                        // an api-key upstream without a key (e.g. an unset env reference) cannot work
                                        ok = false;
                                        b.detail(u.name(), "api-key is empty");
                                    } else {
                                        b.detail(u.name(), credentials.ready(a) ? "credential ready"
                                                : "token not fetched yet");
                                    }
                                }
                            }
                            return b.status(ok).build();
                        }, HealthCheckType.READINESS, "upstream-credentials")
                        .build())
                .addObserver(MetricsObserver.create())
                .build();
    }

    /**
     * @param errors renderer for the 404
     * @return the filter guarding /metrics and /health
     */
    public static Filter loopbackOnly(ErrorRenderer errors) {
        return (chain, req, res) -> {
            String p = req.path().path();
            boolean observe = p.equals("/metrics") || p.startsWith("/metrics/") || p.equals("/health")
                    || p.startsWith("/health/") || p.equals("/observe") || p.startsWith("/observe/");
            if (!observe) {
                chain.proceed();
                return;
            }
            SocketAddress peer = req.remotePeer().address();
            boolean loopback = peer instanceof InetSocketAddress isa && isa.getAddress() != null
                    && isa.getAddress().isLoopbackAddress();
            boolean proxied = req.headers().contains(HeaderNames.X_FORWARDED_FOR)
                    || req.headers().contains(HeaderNames.FORWARDED);
            if (loopback && !proxied) {
                chain.proceed();
            } else {
                errors.send(res, new ProxyException.NotFound(null, "unknown_url",
                        "Unknown request URL: " + req.prologue().method().text() + " " + p + "."));
            }
        };
    }
}
