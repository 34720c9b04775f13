package com.aoaigw.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Cross-field validation of a parsed document. Collects every problem before the caller decides.
 * TODO(#2): full rule set (duplicates, dangling references, URLs, ranges, key lists, timeout relations).
 */
public final class ConfigValidator {
    private ConfigValidator() {
    }

    /**
     * @param config a parsed document
     * @return every problem found, errors and warnings
     */
    public static List<ConfigProblem> validate(GatewayConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        return problems;
    }
}
