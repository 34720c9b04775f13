package com.aoaigw.proxy;

import io.helidon.webserver.http.HttpRouting;

/**
 * Adds routes or filters to the proxy's routing (the admin API, the internal report endpoint) without editing
 * the data plane. Implementations are found with {@link java.util.ServiceLoader} (a
 * {@code META-INF/services/com.aoaigw.proxy.RouteContributor} file) or passed to {@link ProxyServer#start}.
 * They are registered after the data-plane routes and before the final 404 handler.
 */
public interface RouteContributor {
    /**
     * @param routing    the routing being built
     * @param components the shared components
     */
    void register(HttpRouting.Builder routing, Components components);
}
