package com.aoaigw.config;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A public model ({@code models[]}) and the Azure deployment(s) that serve it.
 *
 * @param id            the public model name clients send in {@code model}; required, unique
 * @param upstream      shorthand for one deployment: the upstream name (with {@code targetModel})
 * @param targetModel   shorthand for one deployment: the deployment name; defaults to {@code id}
 * @param routes        per-model route override: incoming route key (or {@code *}) to another route key
 *                      (e.g. {@code responses}) or to a path starting with {@code /}; {@code *} never reroutes
 *                      images or embeddings
 * @param deployments   the deployments behind this model, {@code {upstream, deployment, priority, weight}}; when
 *                      empty, {@code upstream} + {@code targetModel} is the single deployment
 * @param family        the model family deciding which normalisations apply: {@code gpt-5}, {@code o-series},
 *                      {@code gpt-4o}, {@code gpt-4.1}, {@code gpt-4}, {@code gpt-35}, {@code embedding},
 *                      {@code image}, or {@code other} ({@link ConfigValidator#FAMILIES}); when empty, it is guessed
 *                      from the deployment name
 * @param disabledRules names of normalisation rules switched off for this model
 * @param fallbacks     other public model ids tried, in order, when no deployment of this model can serve (all
 *                      cooling down or open, or all failed for this request); a fallback's own fallbacks are not
 *                      followed, and a client key not allowed to use a fallback skips it
 * @param imageCompression per-model switch for {@code server.imageCompression}: {@code true} or {@code false} overrides
 *                      {@code server.imageCompression.enabled} for this model (its other settings still apply); absent
 *                      (null) follows the server setting
 * @param limits        model-wide limits across all keys; absent means unlimited
 * @param pricing       what the model costs per 1M tokens (for budgets and the cost per key); absent means free
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ModelRoute(String id,
                         String upstream,
                         String targetModel,
                         Map<String, String> routes,
                         List<Deployment> deployments,
                         String family,
                         List<String> disabledRules,
                         List<String> fallbacks,
                         Boolean imageCompression,
                         ModelLimits limits,
                         Pricing pricing) {
    /** Fills defaults for missing values. */
    public ModelRoute {
        id = Defaults.str(id, "");
        upstream = Defaults.str(upstream, "");
        targetModel = Defaults.str(targetModel, "");
        routes = Defaults.map(routes);
        deployments = Defaults.list(deployments);
        family = Defaults.str(family, "");
        disabledRules = Defaults.list(disabledRules);
        fallbacks = Defaults.list(fallbacks);
        if (limits != null && limits.none()) {
            limits = null;
        }
    }

    /**
     * Whether inline images of this model's requests are compressed.
     *
     * @param server the server-wide setting
     * @return this model's override, else the server's {@code enabled}
     */
    public boolean compressesImages(ImageCompression server) {
        return imageCompression != null ? imageCompression : server.enabled();
    }

    /**
     * A model without limits or pricing.
     *
     * @param id            id
     * @param upstream      upstream
     * @param targetModel   deployment
     * @param routes        route overrides
     * @param deployments   deployments
     * @param family        family
     * @param disabledRules disabled rules
     * @param fallbacks     fallback model ids
     * @param imageCompression image compression override
     */
    public ModelRoute(String id, String upstream, String targetModel, Map<String, String> routes,
                      List<Deployment> deployments, String family, List<String> disabledRules,
                      List<String> fallbacks, Boolean imageCompression) {
        this(id, upstream, targetModel, routes, deployments, family, disabledRules, fallbacks, imageCompression, null,
                null);
    }

    /**
     * The deployments in effect: {@code deployments[]}, or the single one from {@code upstream} + {@code targetModel}.
     *
     * @return the deployments, never empty for a valid document
     */
    public List<Deployment> effectiveDeployments() {
        if (!deployments.isEmpty()) {
            return deployments;
        }
        if (upstream.isBlank()) {
            return List.of();
        }
        return List.of(new Deployment(upstream, targetModel.isBlank() ? id : targetModel, null, null, null, null));
    }

    /**
     * One deployment behind a model.
     *
     * @param upstream   the upstream name; required
     * @param deployment the Azure deployment name; required
     * @param priority   lower is preferred (failover order); default 0
     * @param weight     share among deployments of equal priority; default 1
     * @param circuitBreaker    per-deployment override of single {@code server.upstream.circuitBreaker} fields;
     *                          null (the default) keeps the server's
     * @param spillAbovePercent skip this deployment for new requests while its last reported
     *                          {@code azure-openai-deployment-utilization} is above this percent (PTU); null (the
     *                          default) never skips
     */
    public record Deployment(String upstream, String deployment, Integer priority, Integer weight,
                             @JsonInclude(JsonInclude.Include.NON_NULL) CircuitBreakerSettings circuitBreaker,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Integer spillAbovePercent) {
        /** Fills defaults for missing values. */
        public Deployment {
            upstream = Defaults.str(upstream, "");
            deployment = Defaults.str(deployment, "");
            priority = Defaults.or(priority, 0);
            weight = Defaults.or(weight, 1);
        }
    }
}
