package com.aoaigw.config;

import java.util.List;

/**
 * A document that parsed and validated, with the warnings the validator left.
 *
 * @param config   the document
 * @param warnings problems that did not refuse it
 */
public record LoadedConfig(GatewayConfig config, List<ConfigProblem> warnings) {
    /** Copies the list. */
    public LoadedConfig {
        warnings = List.copyOf(warnings);
    }
}
