package com.aoaigw.proxy.error;

/**
 * Every error the proxy itself answers with. One sealed family, rendered in one place ({@link ErrorRenderer}) as
 * an OpenAI-shaped body {@code {"error":{"message","type","param","code"}}}.
 *
 * <p>Codes (documented in {@code proxy/ERRORS.md}) are stable strings clients may switch on.
 */
public abstract sealed class ProxyException extends RuntimeException
        permits ProxyException.InvalidRequest, ProxyException.Unauthorized, ProxyException.Forbidden,
        ProxyException.NotFound, ProxyException.UpstreamFailure, ProxyException.Internal, ProxyException.Limited,
        ProxyException.Busy {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    private ProxyException(int status, String type, String param, String code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** @return HTTP status */
    public int status() {
        return status;
    }

    /** @return OpenAI error type */
    public String type() {
        return type;
    }

    /** @return the request field at fault, or null */
    public String param() {
        return param;
    }

    /** @return stable error code */
    public String code() {
        return code;
    }

    /** @return extra response headers of this error (name to value); empty for most */
    public java.util.Map<String, String> headers() {
        return java.util.Map.of();
    }

    /** A client mistake: 400, 405, 413 or 415. */
    public static final class InvalidRequest extends ProxyException {
        /**
         * @param status  4xx status
         * @param param   field at fault or null
         * @param code    code
         * @param message English message
         */
        public InvalidRequest(int status, String param, String code, String message) {
            super(status, "invalid_request_error", param, code, message, null);
        }

        /**
         * A 400.
         *
         * @param param   field at fault or null
         * @param code    code
         * @param message English message
         */
        public InvalidRequest(String param, String code, String message) {
            this(400, param, code, message);
        }
    }

    /** Missing or wrong client key: 401. */
    public static final class Unauthorized extends ProxyException {
        /** The standard answer, as OpenAI words it. */
        public Unauthorized() {
            this("Incorrect API key provided. Pass a valid key in the Authorization: Bearer, api-key or x-api-key header.");
        }

        /** @param message why the key is refused (an expired key says when it expired) */
        public Unauthorized(String message) {
            super(401, "invalid_request_error", null, "invalid_api_key", message, null);
        }
    }

    /** A valid key that may not do this: 403. */
    public static final class Forbidden extends ProxyException {
        /**
         * @param param   field at fault
         * @param code    code
         * @param message English message
         */
        public Forbidden(String param, String code, String message) {
            super(403, "permission_error", param, code, message, null);
        }
    }

    /** Unknown route or model: 404. */
    public static final class NotFound extends ProxyException {
        /**
         * @param param   field at fault or null
         * @param code    {@code unknown_url} or {@code model_not_found}
         * @param message English message
         */
        public NotFound(String param, String code, String message) {
            super(404, "invalid_request_error", param, code, message, null);
        }
    }

    /** The upstream could not be reached or timed out: 502 or 504. */
    public static final class UpstreamFailure extends ProxyException {
        /**
         * @param status  502 or 504
         * @param code    one of the upstream_* codes
         * @param message English message (no secrets, no internal detail beyond the kind of failure)
         * @param cause   the underlying exception, for the server log
         */
        public UpstreamFailure(int status, String code, String message, Throwable cause) {
            super(status, "upstream_error", null, code, message, cause);
        }
    }

    /** A proxy-side fault: a broken config, a missing credential: 500 or 503. */
    public static final class Internal extends ProxyException {
        /**
         * @param status  500 or 503
         * @param code    code
         * @param message English message
         * @param cause   cause for the log, or null
         */
        public Internal(int status, String code, String message, Throwable cause) {
            super(status, "server_error", null, code, message, cause);
        }
    }

    /**
     * Every deployment of the model (and of its fallbacks) is cooling down after a 429 or has an open circuit: 429
     * with {@code retry-after} (seconds, rounded up) and {@code retry-after-ms}, instead of a wait.
     */
    public static final class Busy extends ProxyException {
        private final long retryAfterMs;

        /** @param retryAfterMs when the first deployment is eligible again, from now */
        public Busy(long retryAfterMs) {
            super(429, "rate_limit_error", null, "all_deployments_busy",
                    "Every deployment of this model is busy (rate-limited or failing); retry after "
                            + Math.max(1, (retryAfterMs + 999) / 1000) + " seconds.", null);
            this.retryAfterMs = retryAfterMs;
        }

        /** @return the wait in ms */
        public long retryAfterMs() {
            return retryAfterMs;
        }

        @Override
        public java.util.Map<String, String> headers() {
            return java.util.Map.of("retry-after", Long.toString(Math.max(1, (retryAfterMs + 999) / 1000)),
                    "retry-after-ms", Long.toString(retryAfterMs));
        }
    }

    /**
     * A request that a key's or a model's limits do not admit: 429 {@code rate_limit_exceeded} (type
     * {@code requests} or {@code tokens}), 429 {@code insufficient_quota}, or 503 {@code shared_state_unavailable};
     * with {@code retry-after} and the key's {@code x-ratelimit-*} headers.
     */
    public static final class Limited extends ProxyException {
        private final transient java.util.Map<String, String> headers;

        /**
         * @param status  429 or 503
         * @param type    OpenAI error type
         * @param code    code
         * @param message English message naming the limit, its value and when it resets
         * @param headers response headers ({@code retry-after}, {@code x-ratelimit-*})
         */
        public Limited(int status, String type, String code, String message, java.util.Map<String, String> headers) {
            super(status, type, null, code, message, null);
            this.headers = java.util.Map.copyOf(headers);
        }

        @Override
        public java.util.Map<String, String> headers() {
            return headers;
        }
    }
}
