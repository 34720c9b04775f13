package com.aoaigw.proxy.route;

import java.net.URI;

import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.Upstream;

/**
 * Where one request goes, decided by {@link ModelRouter} from one config snapshot.
 *
 * @param clientRoute  the operation the client called
 * @param backendRoute the operation the upstream URL serves (differs from clientRoute when a model's route
 *                     override sends chat to responses or back; then a translator applies)
 * @param model        the public model
 * @param deployment   the chosen deployment
 * @param upstream     the upstream serving it
 * @param target       the absolute upstream URL (path and query)
 * @param family       the model family: {@code models[].family}, else detected from the deployment name
 *                     ({@link ModelFamily#detect}); computed once per plan
 */
public record RoutePlan(RouteKey clientRoute,
                        RouteKey backendRoute,
                        ModelRoute model,
                        ModelRoute.Deployment deployment,
                        Upstream upstream,
                        URI target,
                        ModelFamily family) {
    /** @return true when the client and the backend speak different APIs */
    public boolean translated() {
        return clientRoute != backendRoute;
    }
}
