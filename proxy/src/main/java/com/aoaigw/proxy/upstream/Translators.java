package com.aoaigw.proxy.upstream;

import com.aoaigw.proxy.route.RoutePlan;

/**
 * The one place where model-compatibility code plugs into the request pipeline: given where a request goes, which
 * transforms apply. The default {@link #NONE} forwards everything unchanged.
 *
 * <p>See {@code proxy/HOOKS.md}.
 */
@FunctionalInterface
public interface Translators {
    /** No translation, no normalisation. */
    Translators NONE = (route, stream) -> TranslationPlan.NONE;

    /**
     * @param route  the routing decision (client route, backend route, model, deployment, family)
     * @param stream whether the client asked for a stream
     * @return the plan for this request
     */
    TranslationPlan plan(RoutePlan route, boolean stream);
}
