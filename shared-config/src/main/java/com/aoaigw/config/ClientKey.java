package com.aoaigw.config;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A client API key ({@code apiKeys[]}).
 *
 * @param id     a stable name for the key, used in logs, stats and metrics (never the key itself); required, unique
 * @param key    the key in plain text, or {@code sha256:<64 hex digits>} (the SHA-256 of the key) to store it hashed
 * @param status {@code active} (default) or {@code disabled}
 * @param models public model ids this key may use; empty means all
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ClientKey(String id, Secret key, String status, List<String> models) {
    /** The prefix of a hashed key. */
    public static final String SHA256_PREFIX = "sha256:";

    /** Fills defaults for missing values. */
    public ClientKey {
        id = Defaults.str(id, "");
        key = Defaults.secret(key);
        status = Defaults.str(status, "active");
        models = Defaults.list(models);
    }

    /** @return true unless the status is {@code disabled} */
    public boolean active() {
        return !"disabled".equals(status);
    }

    /** @return true when the key is stored as a SHA-256 hash */
    public boolean hashed() {
        return key.reveal().startsWith(SHA256_PREFIX);
    }

    /**
     * @param modelId a public model id
     * @return true when this key may use the model
     */
    public boolean allows(String modelId) {
        return models.isEmpty() || models.contains(modelId);
    }
}
