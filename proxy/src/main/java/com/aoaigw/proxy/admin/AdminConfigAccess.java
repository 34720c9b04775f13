package com.aoaigw.proxy.admin;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import com.aoaigw.config.ConfigProblem;
import com.aoaigw.config.ConfigStore;
import com.aoaigw.config.GatewayConfig;

/**
 * What the admin API needs from the proxy's config holder: the snapshot in effect, the store behind it, and a way
 * to hand over a version the admin API just wrote (the store watcher may deliver the same version again; applying
 * it twice is harmless).
 */
public interface AdminConfigAccess {
    /** @return the config in effect */
    Snapshot current();

    /** @return the store both processes read and write */
    ConfigStore store();

    /**
     * Applies a version that the admin API wrote and validated.
     *
     * @param written the version now stored
     */
    void applied(ConfigStore.Versioned written);

    /**
     * Re-reads the store and applies what it holds.
     *
     * @return the snapshot now in effect
     * @throws com.aoaigw.config.ConfigException when the stored document is refused (the last good one stays)
     */
    Snapshot reload();

    /** @return the newest stored version that was refused, if any came after the one in effect */
    Optional<Rejected> lastRejected();

    /**
     * A config in effect.
     *
     * @param config   the document
     * @param etag     its store etag
     * @param warnings the validator's warnings
     * @param loadedAt when it took effect
     */
    record Snapshot(GatewayConfig config, String etag, List<ConfigProblem> warnings, Instant loadedAt) {
        /** Copies the list. */
        public Snapshot {
            warnings = List.copyOf(warnings);
        }
    }

    /**
     * A stored version that was refused.
     *
     * @param etag     its etag
     * @param at       when it was refused
     * @param problems why
     */
    record Rejected(String etag, Instant at, List<ConfigProblem> problems) {
        /** Copies the list. */
        public Rejected {
            problems = List.copyOf(problems);
        }
    }
}
