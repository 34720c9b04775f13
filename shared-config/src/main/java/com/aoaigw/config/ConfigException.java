package com.aoaigw.config;

import java.util.List;
import java.util.stream.Collectors;

/** A config document was refused; carries every problem found, not just the first. */
public final class ConfigException extends RuntimeException {
    private final transient List<ConfigProblem> problems;

    /**
     * @param problems the problems (at least one error)
     */
    public ConfigException(List<ConfigProblem> problems) {
        super(problems.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    /** @return every problem, errors and warnings */
    public List<ConfigProblem> problems() {
        return problems;
    }
}
