package com.aoaigw.proxy.translate;

import java.util.Set;

import com.aoaigw.proxy.route.ModelFamily;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Normalises a request body for the backend API and the model family by running every enabled
 * {@link NormalizationRule} in order. Pure: the input is not modified. Families {@code other}, {@code embedding}
 * and {@code image} are left alone (see {@link ModelFamily#normalized()}).
 */
public final class RequestNormalizer {
    /** Creates the normaliser; it has no state. */
    public RequestNormalizer() {
    }

    /**
     * Normalises a body.
     *
     * @param body          the body as it will be sent (already translated to the backend API), not modified
     * @param backend       the backend API
     * @param stream        whether the request streams ({@code "stream": true})
     * @param family        the model family
     * @param disabledRules rule names switched off for this model ({@code models[].disabledRules})
     * @return a normalised copy
     * @throws TranslationException when the request cannot be sent to this backend
     */
    public ObjectNode normalize(ObjectNode body, ApiKind backend, boolean stream, ModelFamily family,
                                Set<String> disabledRules) {
        ObjectNode copy = body.deepCopy();
        if (!family.normalized()) {
            // Nothing is known about what such a model accepts: leave the request as the client wrote it.
            return copy;
        }
        NormalizationRule.RuleContext context = new NormalizationRule.RuleContext(backend, family, stream);
        for (NormalizationRule rule : NormalizationRule.values()) {
            if (!disabledRules.contains(rule.ruleName())) {
                rule.apply(copy, context);
            }
        }
        return copy;
    }
}
