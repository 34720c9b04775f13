package com.aoaigw.config;

import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How an upstream's URLs are built ({@code upstreams[].apiStyle}), read once when the document is loaded. The JSON
 * spelling is the lower-case name ({@code v1}, {@code classic}); any other value is refused by the shape check with
 * its path.
 */
public enum ApiStyle {
    /** {@code {base}/openai/v1/<route>}, the deployment in the body's {@code model} (the default). */
    V1("v1"),
    /** {@code {base}/openai/deployments/{deployment}/<route>?api-version=}. */
    CLASSIC("classic");

    /** What an operator is told when the value is none of the above (after {@code is '<value>'; }). */
    static final String HINT = "use v1 (/openai/v1/...) or classic (/openai/deployments/{deployment}/...?api-version=)";

    private final String configName;

    ApiStyle(String configName) {
        this.configName = configName;
    }

    /** @return the JSON spelling */
    @JsonValue
    public String configName() {
        return configName;
    }

    /**
     * @param value the JSON spelling, exactly
     * @return the style, or empty when the value names none
     */
    public static Optional<ApiStyle> parse(String value) {
        for (ApiStyle s : values()) {
            if (s.configName.equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /**
     * Jackson's way in (the shape check has refused any other value before binding).
     *
     * @param value the JSON spelling
     * @return the style
     */
    @JsonCreator
    public static ApiStyle of(String value) {
        return parse(value).orElseThrow(() -> new IllegalArgumentException("apiStyle is '" + value + "'; " + HINT));
    }
}
