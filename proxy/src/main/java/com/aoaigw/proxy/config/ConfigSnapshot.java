package com.aoaigw.proxy.config;

import java.time.Instant;
import java.util.List;

import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.GatewayConfig;

/**
 * One immutable, validated version of the config document plus what the hot path precomputes from it. Requests
 * take the current snapshot once and keep it to the end, so a reload never changes a request midway.
 *
 * @param config   the document
 * @param keys     client keys indexed by digest
 * @param loadedAt when this version was loaded (also the {@code created} of {@code /v1/models})
 * @param etag     the store's version tag, or null
 * @param warnings validator warnings
 */
public record ConfigSnapshot(GatewayConfig config, KeyIndex keys, Instant loadedAt, String etag,
                             List<ConfigProblem> warnings) {
    /** Copies the list. */
    public ConfigSnapshot {
        warnings = List.copyOf(warnings);
    }

    /**
     * @param config   the document
     * @param etag     version tag or null
     * @param warnings warnings
     * @return a snapshot loaded now
     */
    public static ConfigSnapshot of(GatewayConfig config, String etag, List<ConfigProblem> warnings) {
        return new ConfigSnapshot(config, KeyIndex.of(config.apiKeys()), Instant.now(), etag, warnings);
    }
}
