package com.aoaigw.config;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A client API key ({@code apiKeys[]}).
 *
 * @param id     a stable name for the key, used in logs, stats and metrics (never the key itself); required, unique
 * @param key    the key in plain text, or {@code sha256:<64 hex digits>} (the SHA-256 of the key) to store it hashed
 * @param status {@code active} (default) or {@code disabled}
 * @param models    public model ids this key may use; empty means all
 * @param limits    rate limits, quotas and budget of this key; absent means unlimited
 * @param expiresAt when the key stops working, an ISO-8601 instant (e.g. {@code 2027-01-01T00:00:00Z}); absent means
 *                  never
 * @param owner     who the key belongs to (free text, shown on the admin page)
 * @param note      a note for the operators (free text)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ClientKey(String id, Secret key, String status, List<String> models, KeyLimits limits,
                        String expiresAt, String owner, String note) {
    /** The prefix of a hashed key. */
    public static final String SHA256_PREFIX = "sha256:";

    /** Fills defaults for missing values. */
    public ClientKey {
        id = Defaults.str(id, "");
        key = Defaults.secret(key);
        status = Defaults.str(status, "active");
        models = Defaults.list(models);
        if (limits != null && limits.none()) {
            limits = null;
        }
    }

    /**
     * A key without limits, expiry, owner or note.
     *
     * @param id     id
     * @param key    key
     * @param status status
     * @param models allowed models
     */
    public ClientKey(String id, Secret key, String status, List<String> models) {
        this(id, key, status, models, null, null, null, null);
    }

    /** @return the expiry instant, empty when there is none or it does not parse (the validator reports that) */
    public java.util.Optional<java.time.Instant> expiry() {
        if (expiresAt == null || expiresAt.isBlank()) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(java.time.Instant.parse(expiresAt.trim()));
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
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
