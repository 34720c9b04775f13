package com.aoaigw.proxy.translate;

import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What to do to one request and its answer besides forwarding it. Built per request by a {@link TranslationSelector}.
 *
 * @param request  rewrites the parsed request body (already carrying the deployment in {@code model}); empty means
 *                 the body is forwarded as received (only {@code model} spliced), without building a JSON tree.
 *                 It may throw a {@link TranslationException} to answer 400 {@code invalid_request_error}
 *                 with its param, code and message.
 * @param response rewrites a successful non-stream body (status 2xx); identity by default
 * @param stream   makes the per-request stream transform; {@link StreamTransform#IDENTITY} by default
 */
public record TranslationPlan(Optional<UnaryOperator<ObjectNode>> request,
                              UnaryOperator<byte[]> response,
                              Supplier<StreamTransform> stream) {
    /** The pass-through plan. */
    public static final TranslationPlan NONE =
            new TranslationPlan(Optional.empty(), UnaryOperator.identity(), () -> StreamTransform.IDENTITY);

    /** @return true when nothing is transformed */
    public boolean passThrough() {
        return this == NONE;
    }
}
