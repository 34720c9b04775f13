package com.aoaigw.proxy.api;

import java.util.List;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.KeyLimits;

/**
 * Who called: the client key that authenticated the request. Registered in the request context by
 * {@link ClientAuthFilter}; read with {@code req.context().get(ClientIdentity.class)}.
 *
 * @param keyId  the key's {@code id} (never the key itself)
 * @param models the key's model allowlist; empty means every model
 * @param limits the key's limits, or null when it has none
 */
public record ClientIdentity(String keyId, List<String> models, KeyLimits limits) {
    /** Copies the list. */
    public ClientIdentity {
        models = List.copyOf(models);
    }

    /**
     * @param key the matched key
     * @return its identity
     */
    public static ClientIdentity of(ClientKey key) {
        return new ClientIdentity(key.id(), key.models(), key.limits());
    }

    /**
     * @param modelId public model id
     * @return true when this key may use it
     */
    public boolean allows(String modelId) {
        return models.isEmpty() || models.contains(modelId);
    }
}
