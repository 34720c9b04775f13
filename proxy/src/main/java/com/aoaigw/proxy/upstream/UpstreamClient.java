package com.aoaigw.proxy.upstream;

import java.net.URI;
import java.util.List;

import com.aoaigw.config.UpstreamAuth;
import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.error.ProxyException;

import io.helidon.http.Header;

/**
 * The upstream call behind one narrow interface: one attempt at one deployment. {@link HttpUpstreamClient} is the
 * real one (pooled WebClient, credentials, first-byte watchdog); unit tests of {@link FailoverLoop} and the
 * forwarder use a hand-written fake.
 */
public interface UpstreamClient {
    /**
     * Makes one attempt at one deployment. Retries and failover across deployments are the caller's
     * ({@link FailoverLoop}).
     *
     * @param request  what to send
     * @param settings the snapshot's upstream settings
     * @param watch    the exchange's watchdog
     * @return the upstream response (status known, body unread); the caller closes it
     * @throws Failure when no answer could be obtained
     */
    Answer attempt(Request request, UpstreamSettings settings, Watchdog.Watch watch);

    /**
     * One request to send.
     *
     * @param target           absolute URL
     * @param body             JSON body
     * @param stream           whether a stream is expected
     * @param requestId        the proxy's request id
     * @param auth             the upstream credential
     * @param forwardedHeaders client headers allowed by {@link HeaderPolicy}
     */
    record Request(URI target, byte[] body, boolean stream, String requestId, UpstreamAuth auth,
                   List<Header> forwardedHeaders) {
    }

    /**
     * The answer of one attempt.
     *
     * @param response    the response, body not read yet
     * @param sentAtNanos when the request was sent
     */
    record Answer(UpstreamResponse response, long sentAtNanos) {
    }

    /** An attempt that got no answer. */
    final class Failure extends RuntimeException {
        private final ProxyException.UpstreamFailure error;

        /** @param error the error for the client */
        public Failure(ProxyException.UpstreamFailure error) {
            super(error.getMessage(), error, false, false);
            this.error = error;
        }

        /** @return the error for the client */
        public ProxyException.UpstreamFailure error() {
            return error;
        }
    }
}
