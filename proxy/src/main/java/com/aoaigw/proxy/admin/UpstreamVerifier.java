package com.aoaigw.proxy.admin;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.Upstream;

/** Checks one upstream's auth end to end: acquire the credential, call the models endpoint, report. */
@FunctionalInterface
public interface UpstreamVerifier {
    /**
     * @param config   the config in effect
     * @param upstream the upstream to check
     * @return what happened (never the token or key)
     */
    Result verify(GatewayConfig config, Upstream upstream);

    /**
     * The outcome.
     *
     * @param ok             true when the models endpoint answered 2xx
     * @param authMode       {@code apiKey}, {@code clientSecret}, {@code managedIdentity} or {@code defaultCredential}
     * @param credential     what was learnt about the credential, e.g. {@code token acquired, expires at ...}
     * @param url            the URL called
     * @param status         the HTTP status, or 0 when no answer
     * @param latencyMs      time of the models call
     * @param error          what failed, or null
     */
    record Result(boolean ok, String authMode, String credential, String url, int status, long latencyMs,
                  String error) {
    }
}
