package com.aoaigw.config;

import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An Azure OpenAI / Foundry endpoint ({@code upstreams[]}).
 *
 * @param name       unique name that models refer to; required
 * @param baseUrl    the resource endpoint, e.g. {@code https://myres.openai.azure.com/}; http(s) only
 * @param routes     route key ({@code chat/completions}, {@code responses}, {@code embeddings},
 *                   {@code images/generations}) to an upstream path template; {@code {deployment}} is substituted
 *                   and a query string may follow. Overrides the path the {@code apiStyle} would build.
 * @param auth       this upstream's own auth, overriding the global {@code auth}
 * @param scope      token scope for this upstream, overriding the auth block's scope
 * @param apiStyle   {@code v1} (default: {@code /openai/v1/...}, deployment in the body) or {@code classic}
 *                   ({@code /openai/deployments/{deployment}/...?api-version=})
 * @param apiVersion the {@code api-version} for classic paths; default {@code 2024-10-21} (Responses on classic uses
 *                   {@code 2025-04-01-preview} unless set); ignored for v1 unless set
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Upstream(String name,
                       String baseUrl,
                       Map<String, String> routes,
                       AuthSettings auth,
                       String scope,
                       ApiStyle apiStyle,
                       String apiVersion) {
    /** Fills defaults for missing values. */
    public Upstream {
        name = Defaults.str(name, "");
        baseUrl = Defaults.str(baseUrl, "");
        routes = Defaults.map(routes);
        scope = Defaults.str(scope, "");
        apiStyle = apiStyle == null ? ApiStyle.V1 : apiStyle;
        apiVersion = Defaults.str(apiVersion, "");
    }
}
