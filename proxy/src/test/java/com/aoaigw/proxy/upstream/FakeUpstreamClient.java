package com.aoaigw.proxy.upstream;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.aoaigw.config.UpstreamSettings;
import com.aoaigw.proxy.error.ProxyException;

import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;

/**
 * A hand-written {@link UpstreamClient} for unit tests: answers from a script, one entry per attempt, in order, and
 * remembers every request and every response it handed out (so a test can check which were closed).
 */
public final class FakeUpstreamClient implements UpstreamClient {
    private final Deque<Function<Request, Answer>> script = new ArrayDeque<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final List<FakeResponse> responses = new CopyOnWriteArrayList<>();

    /**
     * Next attempt: a JSON answer.
     *
     * @param status  HTTP status
     * @param body    JSON body
     * @param headers header name, value, name, value...
     * @return this
     */
    public synchronized FakeUpstreamClient json(int status, String body, String... headers) {
        return respond(status, "application/json", body, headers);
    }

    /**
     * Next attempt: a 200 event stream whose body is the given text (events separated by blank lines).
     *
     * @param sse the whole stream body
     * @return this
     */
    public synchronized FakeUpstreamClient stream(String sse) {
        return respond(200, "text/event-stream", sse);
    }

    /**
     * Next attempt: no answer.
     *
     * @param status the client status
     * @param code   the error code (e.g. {@code upstream_connection_refused})
     * @return this
     */
    public synchronized FakeUpstreamClient fail(int status, String code) {
        script.add(r -> {
            throw new Failure(new ProxyException.UpstreamFailure(status, code, "fake failure " + code, null));
        });
        return this;
    }

    private FakeUpstreamClient respond(int status, String contentType, String body, String... headers) {
        script.add(r -> {
            WritableHeaders<?> h = WritableHeaders.create();
            h.set(HeaderNames.CONTENT_TYPE, contentType);
            for (int i = 0; i + 1 < headers.length; i += 2) {
                h.add(HeaderNames.create(headers[i]), headers[i + 1]);
            }
            FakeResponse res = new FakeResponse(status, h, body.getBytes(StandardCharsets.UTF_8));
            responses.add(res);
            return new Answer(res, System.nanoTime());
        });
        return this;
    }

    @Override
    public Answer attempt(Request request, UpstreamSettings settings, Watchdog.Watch watch) {
        requests.add(request);
        Function<Request, Answer> next;
        synchronized (this) {
            next = script.poll();
        }
        if (next == null) {
            throw new AssertionError("no scripted answer for attempt " + requests.size() + " to " + request.target());
        }
        return next.apply(request);
    }

    /** @return every request, in order */
    public List<Request> requests() {
        return requests;
    }

    /** @return every response handed out, in order */
    public List<FakeResponse> responses() {
        return responses;
    }

    /** A scripted response that records whether it was closed. */
    public static final class FakeResponse implements UpstreamResponse {
        private final int status;
        private final Headers headers;
        private final byte[] body;
        private volatile boolean closed;

        FakeResponse(int status, Headers headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public int status() {
            return status;
        }

        @Override
        public Headers headers() {
            return headers;
        }

        @Override
        public InputStream inputStream() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public void close() {
            closed = true;
        }

        /** @return whether {@link #close()} was called */
        public boolean closed() {
            return closed;
        }
    }
}
