package com.aoaigw.proxy.upstream;

import java.util.Set;

/**
 * Which headers cross the proxy, in both directions. Explicit and small on purpose.
 *
 * <p><b>Client to Azure:</b> only {@link #FORWARDED_REQUEST} headers are copied from the client; the proxy sets
 * {@code content-type}, {@code accept}, {@code x-request-id} and its own credential. Client credentials, cookies
 * and hop-by-hop headers ({@link #NEVER_FORWARDED}) can therefore never reach Azure.
 *
 * <p><b>Azure to client:</b> {@link #PASSED_RESPONSE} headers and every {@code x-ratelimit-*} header are copied
 * on success and on error, streaming or not. The upstream's {@code x-request-id} is returned as
 * {@code x-upstream-request-id}; {@code x-request-id} on every proxy response is the proxy's own request id.
 */
public final class HeaderPolicy {
    /** Client headers copied to Azure. */
    public static final Set<String> FORWARDED_REQUEST = Set.of("user-agent", "openai-beta");

    /** Headers that must never reach Azure (documentation and a guard; the allowlist already excludes them). */
    public static final Set<String> NEVER_FORWARDED = Set.of(
            "authorization", "api-key", "x-api-key", "ocp-apim-subscription-key", "cookie",
            "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade",
            "host", "content-length", "proxy-authorization");

    /** Upstream response headers copied to the client (besides {@code x-ratelimit-*}). */
    public static final Set<String> PASSED_RESPONSE = Set.of(
            "retry-after", "retry-after-ms", "x-ms-retry-after-ms", "apim-request-id", "x-ms-region",
            "azure-openai-deployment-utilization");

    /** The name under which the upstream's own x-request-id reaches the client. */
    public static final String UPSTREAM_REQUEST_ID = "x-upstream-request-id";

    private final Set<String> extraNames;
    private final java.util.List<String> extraPrefixes;

    /**
     * @param extra more client headers to forward (process setting {@code UPSTREAM_FORWARD_HEADERS}): names, or
     *              prefixes ending with {@code *}; {@link #NEVER_FORWARDED} headers are refused whatever is listed
     */
    public HeaderPolicy(java.util.List<String> extra) {
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.List<String> prefixes = new java.util.ArrayList<>();
        for (String e : extra) {
            String x = e.trim().toLowerCase(java.util.Locale.ROOT);
            if (x.isEmpty()) {
                continue;
            }
            if (x.endsWith("*")) {
                prefixes.add(x.substring(0, x.length() - 1));
            } else {
                names.add(x);
            }
        }
        this.extraNames = Set.copyOf(names);
        this.extraPrefixes = java.util.List.copyOf(prefixes);
    }

    /**
     * @param lowerName a client request header name in lower case
     * @return true when it is copied to Azure
     */
    public boolean forwards(String lowerName) {
        if (NEVER_FORWARDED.contains(lowerName)) {
            return false;
        }
        if (FORWARDED_REQUEST.contains(lowerName) || extraNames.contains(lowerName)) {
            return true;
        }
        for (String p : extraPrefixes) {
            if (lowerName.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param lowerName an upstream response header name in lower case
     * @return true when it is copied to the client under the same name
     */
    public static boolean passResponse(String lowerName) {
        return PASSED_RESPONSE.contains(lowerName) || lowerName.startsWith("x-ratelimit-");
    }

    /**
     * A client-supplied request id is kept when it is 1 to 128 characters of {@code [A-Za-z0-9._:-]}.
     *
     * @param id the client's x-request-id, or null
     * @return true when it may be used
     */
    public static boolean validRequestId(String id) {
        if (id == null || id.isEmpty() || id.length() > 128) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
