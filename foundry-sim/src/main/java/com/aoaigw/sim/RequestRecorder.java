package com.aoaigw.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.http.Header;
import io.helidon.webserver.http.ServerRequest;

/**
 * Keeps the last requests and the counters of one simulator. Bounded: only the newest {@value #LIMIT} data-plane
 * requests and {@value #TOKEN_LIMIT} token requests are kept, each body is cut at {@value #BODY_LIMIT} bytes, and the
 * oldest requests are dropped while the kept bodies exceed {@value #TOTAL_BODY_LIMIT} characters.
 */
final class RequestRecorder {
    static final int LIMIT = 1000;
    static final int TOKEN_LIMIT = 200;
    /** Bodies above this size are cut; large enough for image payloads a test may want to inspect. */
    static final int BODY_LIMIT = 16 << 20;
    /** The kept bodies together stay below this, so that a test sending many images cannot fill the heap. */
    static final long TOTAL_BODY_LIMIT = 64L << 20;

    private final Deque<RecordedRequest> requests = new ArrayDeque<>();
    private long keptBodyChars;
    private final Deque<RecordedRequest> tokenRequests = new ArrayDeque<>();
    private final AtomicLong requestCount = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong streamsStarted = new AtomicLong();
    private final AtomicLong streamsCompleted = new AtomicLong();
    private final AtomicLong tokenRequestCount = new AtomicLong();

    static RecordedRequest capture(ServerRequest req, byte[] body) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Header h : req.headers()) {
            headers.computeIfAbsent(h.name().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(h.allValues());
        }
        int len = Math.min(body.length, BODY_LIMIT);
        String text = new String(body, 0, len, java.nio.charset.StandardCharsets.UTF_8);
        String query = req.query().rawValue();
        int clientPort = req.remotePeer().address() instanceof java.net.InetSocketAddress a ? a.getPort() : 0;
        return new RecordedRequest(req.prologue().method().text(), req.path().absolute().rawPath(), query == null ? "" : query,
                headers, text, clientPort);
    }

    void dataPlane(RecordedRequest r) {
        requestCount.incrementAndGet();
        synchronized (requests) {
            requests.addLast(r);
            keptBodyChars += r.body().length();
            while (requests.size() > LIMIT || (keptBodyChars > TOTAL_BODY_LIMIT && requests.size() > 1)) {
                keptBodyChars -= requests.removeFirst().body().length();
            }
        }
    }

    void token(RecordedRequest r) {
        tokenRequestCount.incrementAndGet();
        synchronized (tokenRequests) {
            tokenRequests.addLast(r);
            while (tokenRequests.size() > TOKEN_LIMIT) {
                tokenRequests.removeFirst();
            }
        }
    }

    void clientDisconnected() {
        disconnects.incrementAndGet();
    }

    void streamStarted() {
        streamsStarted.incrementAndGet();
    }

    void streamCompleted() {
        streamsCompleted.incrementAndGet();
    }

    List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    List<RecordedRequest> tokenRequests() {
        synchronized (tokenRequests) {
            return List.copyOf(tokenRequests);
        }
    }

    SimStats stats() {
        return new SimStats(requestCount.get(), disconnects.get(), streamsStarted.get(), streamsCompleted.get(),
                tokenRequestCount.get());
    }

    void clear() {
        synchronized (requests) {
            requests.clear();
            keptBodyChars = 0;
        }
        synchronized (tokenRequests) {
            tokenRequests.clear();
        }
        requestCount.set(0);
        disconnects.set(0);
        streamsStarted.set(0);
        streamsCompleted.set(0);
        tokenRequestCount.set(0);
    }
}
