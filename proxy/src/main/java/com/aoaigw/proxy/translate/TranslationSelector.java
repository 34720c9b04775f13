package com.aoaigw.proxy.translate;

import com.aoaigw.proxy.route.RoutePlan;

/**
 * The one place where model-compatibility code plugs into the request pipeline: given where a request goes, it
 * selects which translation applies ({@link TranslationPlan}). {@link CompatibilitySelector} is the production
 * selector; {@link #NONE} forwards everything unchanged.
 *
 * <p>See {@code proxy/HOOKS.md}.
 */
@FunctionalInterface
public interface TranslationSelector {
    /** No translation, no normalisation. */
    TranslationSelector NONE = (route, stream) -> TranslationPlan.NONE;

    /**
     * @param route  the routing decision (client route, backend route, model, deployment, family)
     * @param stream whether the client asked for a stream
     * @return the plan for this request
     */
    TranslationPlan plan(RoutePlan route, boolean stream);
}
