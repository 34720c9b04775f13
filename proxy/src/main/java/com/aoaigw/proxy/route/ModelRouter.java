package com.aoaigw.proxy.route;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.Upstream;
import com.aoaigw.proxy.error.ProxyException;

/**
 * Turns (route, public model) into a {@link RoutePlan}: deployment, upstream, backend route and the exact
 * upstream URL. Pure: everything comes from the config document passed in.
 *
 * <p>URL rules, in order:
 * <ol>
 *   <li>{@code models[].routes[<incoming key>]}, else {@code models[].routes["*"]} (never for images or
 *       embeddings): a value starting with {@code /} is a path template; any other value names another route
 *       key, the backend route.</li>
 *   <li>{@code upstreams[].routes[<backend key>]}: a path template.</li>
 *   <li>the default for the upstream's {@code apiStyle}: v1 {@code openai/v1/<route>} (with
 *       {@code ?api-version=} only when the upstream sets one), classic
 *       {@code openai/deployments/{deployment}/<route>?api-version=<apiVersion or 2024-10-21>} and
 *       {@code openai/responses?api-version=<apiVersion or 2025-04-01-preview>}.</li>
 * </ol>
 * A template starting with {@code /} replaces the base URL's path; otherwise it is appended to it.
 * {@code {deployment}} is substituted URL-encoded.
 */
public final class ModelRouter {
    /** Default api-version for classic deployment paths. */
    public static final String CLASSIC_API_VERSION = "2024-10-21";
    /** Default api-version for classic Responses. */
    public static final String CLASSIC_RESPONSES_API_VERSION = "2025-04-01-preview";

    private static final Comparator<ModelRoute.Deployment> PREFERENCE =
            Comparator.comparingInt(ModelRoute.Deployment::priority)
                    .thenComparing(Comparator.comparingInt(ModelRoute.Deployment::weight).reversed());

    /** Bound on cached plans per config version (model ids match exactly, so real traffic needs few). */
    private static final int MAX_CACHED = 4096;

    /** The plans already made for one config version; replaced when a request brings another version. */
    private volatile PlanCache cache = new PlanCache(null, new ConcurrentHashMap<>());

    /** A router. Plans are pure functions of (config, route, model), cached per config version. */
    public ModelRouter() {
    }

    /**
     * @param config   the document
     * @param incoming the client's operation
     * @param modelId  the public model id
     * @return the plan
     * @throws ProxyException.NotFound for an unknown model, ProxyException.Internal for a broken route
     */
    public RoutePlan route(GatewayConfig config, RouteKey incoming, String modelId) {
        return route(config, incoming, modelId, -1);
    }

    /**
     * @param config     the document
     * @param incoming   the client's operation
     * @param modelId    the public model id
     * @param deployment index into the model's {@code effectiveDeployments()}, or -1 for the most preferred one
     *                   (lowest priority, then highest weight, then list order)
     * @return the plan for that deployment
     * @throws ProxyException.NotFound for an unknown model, ProxyException.Internal for a broken route
     */
    public RoutePlan route(GatewayConfig config, RouteKey incoming, String modelId, int deployment) {
        PlanCache pc = cache;
        if (pc.config() != config) {
            pc = new PlanCache(config, new ConcurrentHashMap<>());
            cache = pc;
        }
        int routes = RouteKey.values().length;
        int slot = (deployment + 1) * routes + incoming.ordinal();
        RoutePlan[] byRoute = pc.plans().get(modelId);
        RoutePlan plan = byRoute == null || slot >= byRoute.length ? null : byRoute[slot];
        if (plan == null) {
            // only successful plans are kept, so unknown model ids cannot fill the cache
            plan = plan(config, incoming, modelId, deployment);
            if (byRoute == null && pc.plans().size() < MAX_CACHED) {
                int n = plan.model().effectiveDeployments().size();
                byRoute = pc.plans().computeIfAbsent(modelId, k -> new RoutePlan[(n + 1) * routes]);
            }
            if (byRoute != null && slot < byRoute.length) {
                byRoute[slot] = plan;
            }
        }
        return plan;
    }

    private RoutePlan plan(GatewayConfig config, RouteKey incoming, String modelId, int index) {
        ModelRoute model = config.model(modelId).orElseThrow(() -> new ProxyException.NotFound("model",
                "model_not_found", "The model `" + modelId + "` does not exist or you do not have access to it."));
        List<ModelRoute.Deployment> deployments = model.effectiveDeployments();
        if (deployments.isEmpty()) {
            throw new ProxyException.Internal(500, "model_without_deployment",
                    "The model `" + modelId + "` has no deployment configured.", null);
        }
        ModelRoute.Deployment dep = index >= 0 && index < deployments.size() ? deployments.get(index)
                : deployments.stream().min(PREFERENCE).orElseThrow();
        Upstream upstream = config.upstream(dep.upstream()).orElseThrow(() -> new ProxyException.Internal(500,
                "upstream_not_found", "The model `" + modelId + "` refers to an upstream that is not configured.", null));

        String override = override(model, incoming);
        RouteKey backend = incoming;
        String template = null;
        if (override != null && override.startsWith("/")) {
            template = override;
            backend = backendOfPath(override, incoming);
        } else if (override != null) {
            backend = RouteKey.parse(override).orElseThrow(() -> new ProxyException.Internal(500,
                    "invalid_route_override", "The model `" + modelId + "` has a route override to an unknown route.",
                    null));
        }
        if (template == null) {
            String t = upstream.routes().get(backend.key());
            template = t == null || t.isBlank() ? defaultTemplate(upstream, backend) : t.trim();
        }
        URI target = resolve(upstream.baseUrl(), template.replace("{deployment}", encode(dep.deployment())));
        // the validator accepts only known family names, so of() finds one or detects it from the name
        ModelFamily family = ModelFamily.of(model.family(), dep.deployment());
        return new RoutePlan(incoming, backend, model, dep, upstream, target, family);
    }

    private record PlanCache(GatewayConfig config, ConcurrentHashMap<String, RoutePlan[]> plans) {
    }

    private static String override(ModelRoute model, RouteKey incoming) {
        String v = model.routes().get(incoming.key());
        if ((v == null || v.isBlank()) && incoming.conversational()) {
            // "*" never reroutes images or embeddings (the original's defect D24)
            v = model.routes().get("*");
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static RouteKey backendOfPath(String path, RouteKey incoming) {
        int q = path.indexOf('?');
        String p = (q >= 0 ? path.substring(0, q) : path).toLowerCase(Locale.ROOT);
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        for (RouteKey r : RouteKey.values()) {
            if (p.endsWith("/" + r.key())) {
                return r;
            }
        }
        return incoming;
    }

    /**
     * @param upstream the upstream
     * @param route    the backend route
     * @return the default path template for the upstream's api style (relative to the base URL's path)
     */
    static String defaultTemplate(Upstream upstream, RouteKey route) {
        String v = upstream.apiVersion();
        if (upstream.apiStyle() == com.aoaigw.config.ApiStyle.CLASSIC) {
            if (route == RouteKey.RESPONSES) {
                return "openai/responses?api-version=" + encode(v.isBlank() ? CLASSIC_RESPONSES_API_VERSION : v);
            }
            return "openai/deployments/{deployment}/" + route.key() + "?api-version="
                    + encode(v.isBlank() ? CLASSIC_API_VERSION : v);
        }
        return "openai/v1/" + route.key() + (v.isBlank() ? "" : "?api-version=" + encode(v));
    }

    /**
     * Resolves a template against a base URL like a relative reference: a leading {@code /} replaces the base
     * path, anything else is appended to it.
     *
     * @param baseUrl  the upstream base URL
     * @param template the path (and query) with the deployment already substituted
     * @return the absolute URL
     */
    static URI resolve(String baseUrl, String template) {
        URI base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        return base.resolve(template);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
