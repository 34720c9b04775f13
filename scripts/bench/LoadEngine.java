import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The load client: HTTP/1.1 keep-alive connections driven by ONE selector thread (like wrk), so the client costs
 * little CPU on a machine it shares with the simulator and the proxy, and every timestamp is taken by the thread that
 * read the bytes. Two closed-loop workloads:
 * <ul>
 *   <li>non-stream: each connection sends the next request as soon as the previous response ended, for a warm-up
 *       and then a measured window; latencies are recorded for requests started in the window;</li>
 *   <li>streams: each connection runs a fixed number of SSE streams back to back (starts staggered over a given
 *       time so the concurrency is steady); each event's arrival offset from the request start is recorded.</li>
 * </ul>
 * Every loop is bounded by a deadline.
 */
final class LoadEngine {
    /** Where to send load and which bytes to send. */
    record Target(String name, InetSocketAddress address, byte[] nonStreamRequest, byte[] streamRequest) {
    }

    /** Outcome of a non-stream run. Times in milliseconds. */
    record NonStreamResult(String target, int concurrency, double windowSeconds, long completed, long errors,
                           long totalCompleted, double rps, double p50Ms, double p90Ms, double p99Ms, double maxMs, String firstError) {
    }

    /**
     * Outcome of a stream run. {@code eventOffsetsP50Ms[i]} / {@code P99} is the arrival offset of event {@code i}
     * (from the request start) across the recorded streams.
     */
    record StreamResult(String target, int concurrency, int maxConcurrent, long streams, long errors, long totalEvents,
                        int eventsPerStream,
                        double ttfeP50Ms, double ttfeP99Ms, double ttfeMaxMs,
                        double[] eventOffsetsP50Ms, double[] eventOffsetsP99Ms, double lastEventP50Ms,
                        double maxInterEventGapMs, double seconds, String firstError) {
    }

    /**
     * Raw samples of one or more non-stream slices of the same target and concurrency; {@link #merge} adds slices
     * measured at different times (direct and proxy slices alternate), {@link #summary} gives the percentiles.
     */
    record NonStreamSamples(String target, int concurrency, long[] latenciesNs, double windowSeconds, long completed,
                            long errors, long totalCompleted, String firstError) {
        NonStreamSamples merge(NonStreamSamples o) {
            if (o == null) {
                return this;
            }
            long[] all = Arrays.copyOf(latenciesNs, latenciesNs.length + o.latenciesNs.length);
            System.arraycopy(o.latenciesNs, 0, all, latenciesNs.length, o.latenciesNs.length);
            return new NonStreamSamples(target, concurrency, all, windowSeconds + o.windowSeconds, completed + o.completed,
                    errors + o.errors, totalCompleted + o.totalCompleted, firstError != null ? firstError : o.firstError);
        }

        NonStreamResult summary() {
            long[] sorted = latenciesNs.clone();
            Arrays.sort(sorted);
            return new NonStreamResult(target, concurrency, windowSeconds, completed, errors, totalCompleted,
                    completed / windowSeconds, pct(sorted, 0.50), pct(sorted, 0.90), pct(sorted, 0.99),
                    sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6, firstError);
        }
    }

    /** Raw per-stream event offsets of one or more stream slices of the same target and concurrency. */
    record StreamSamples(String target, int concurrency, int maxConcurrent, List<long[]> streams, long errors,
                         long totalEvents, double seconds, String firstError) {
        StreamSamples merge(StreamSamples o) {
            if (o == null) {
                return this;
            }
            List<long[]> all = new ArrayList<>(streams);
            all.addAll(o.streams);
            return new StreamSamples(target, concurrency, Math.max(maxConcurrent, o.maxConcurrent), all,
                    errors + o.errors, totalEvents + o.totalEvents,
                    seconds + o.seconds, firstError != null ? firstError : o.firstError);
        }

        StreamResult summary() {
            return summarize(target, concurrency, maxConcurrent, streams, errors, totalEvents, seconds, firstError);
        }
    }

    private static final int MAX_EVENTS = 256;

    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);
    /** The most requests in flight at once during the last loop (for "2,000 streams held"). */
    private int maxBusy;

    /** One client connection and its request in flight. */
    private static final class Conn implements HttpResponseParser.EventListener {
        final int index;
        SocketChannel channel;
        SelectionKey key;
        final HttpResponseParser parser = new HttpResponseParser();
        ByteBuffer pendingWrite;
        long startNs;
        boolean busy;
        int round;
        long nextStartNs = Long.MAX_VALUE;
        final long[] events;
        int eventCount;

        Conn(int index, boolean streaming) {
            this.index = index;
            this.events = streaming ? new long[MAX_EVENTS] : new long[0];
        }

        @Override
        public void onEvent(long nanoTime) {
            if (eventCount < events.length) {
                events[eventCount++] = nanoTime - startNs;
            }
        }
    }

    /** Callbacks that make the shared event loop a non-stream or a stream workload. */
    private interface Workload {
        /** @return true to send the next request on this connection now */
        boolean onComplete(Conn c, long now, int status, String body);

        /** @return true to send the next request on this (reconnected) connection now */
        boolean onError(Conn c, long now, String message);

        boolean finished(long now, int busy);

        long deadline();
    }

    NonStreamSamples runNonStream(LoadEngine.Target target, int concurrency, long warmupMs, long measureMs)
            throws IOException {
        long start = System.nanoTime();
        long measureStart = start + warmupMs * 1_000_000L;
        long measureEnd = measureStart + measureMs * 1_000_000L;
        long drainEnd = measureEnd + 10_000_000_000L;
        LongList latencies = new LongList(1 << 16);
        long[] counters = new long[3]; // completed in the window, errors, completed in the whole run
        String[] firstError = new String[1];
        Workload w = new Workload() {
            @Override
            public boolean onComplete(Conn c, long now, int status, String body) {
                if (status != 200) {
                    error(c, now, "HTTP " + status + " " + body);
                } else if (c.startNs >= measureStart && c.startNs < measureEnd) {
                    latencies.add(now - c.startNs);
                }
                if (now >= measureStart && now < measureEnd) {
                    counters[0]++;
                }
                counters[2]++;
                return now < measureEnd;
            }

            @Override
            public boolean onError(Conn c, long now, String message) {
                error(c, now, message);
                return now < measureEnd;
            }

            private void error(Conn c, long now, String message) {
                if (c.startNs >= measureStart && c.startNs < measureEnd) {
                    counters[1]++;
                }
                if (firstError[0] == null) {
                    firstError[0] = message.length() > 500 ? message.substring(0, 500) : message;
                }
            }

            @Override
            public boolean finished(long now, int busy) {
                return now >= measureEnd && busy == 0;
            }

            @Override
            public long deadline() {
                return drainEnd;
            }
        };
        List<Conn> conns = open(target, concurrency, false);
        for (Conn c : conns) {
            c.nextStartNs = start;
        }
        try {
            loop(conns, target, false, w);
        } finally {
            close(conns);
        }
        return new NonStreamSamples(target.name(), concurrency, latencies.toArray(), measureMs / 1000.0, counters[0],
                counters[1], counters[2], firstError[0]);
    }

    StreamSamples runStreams(LoadEngine.Target target, int concurrency, int warmRounds, int rounds, long staggerMs,
                            long timeoutMs, int minEvents) throws IOException {
        long start = System.nanoTime();
        long deadline = start + timeoutMs * 1_000_000L;
        List<long[]> recorded = new ArrayList<>();
        long[] errors = new long[1];
        int[] finishedConns = new int[1];
        long[] eventsSeen = new long[1]; // all rounds, for CPU per event
        String[] firstError = new String[1];
        int totalRounds = warmRounds + rounds;
        Workload w = new Workload() {
            @Override
            public boolean onComplete(Conn c, long now, int status, String body) {
                eventsSeen[0] += c.eventCount;
                if (status != 200) {
                    return onError(c, now, "HTTP " + status + " " + body);
                }
                if (c.eventCount < minEvents) {
                    return onError(c, now, "stream ended after " + c.eventCount + " events, expected at least " + minEvents);
                }
                if (c.round >= warmRounds) {
                    recorded.add(Arrays.copyOf(c.events, c.eventCount));
                }
                return next(c);
            }

            private boolean next(Conn c) {
                c.round++;
                if (c.round < totalRounds) {
                    return true;
                }
                finishedConns[0]++;
                return false;
            }

            @Override
            public boolean onError(Conn c, long now, String message) {
                if (c.round >= warmRounds) {
                    errors[0]++;
                }
                if (firstError[0] == null) {
                    firstError[0] = message.length() > 500 ? message.substring(0, 500) : message;
                }
                return next(c);
            }

            @Override
            public boolean finished(long now, int busy) {
                return finishedConns[0] >= concurrency;
            }

            @Override
            public long deadline() {
                return deadline;
            }
        };
        List<Conn> conns = open(target, concurrency, true);
        long t0 = System.nanoTime();
        for (Conn c : conns) {
            c.nextStartNs = t0 + staggerMs * 1_000_000L * c.index / concurrency;
        }
        int timedOut;
        try {
            timedOut = loop(conns, target, true, w);
        } finally {
            close(conns);
        }
        errors[0] += timedOut;
        if (timedOut > 0 && firstError[0] == null) {
            firstError[0] = timedOut + " streams still open at the phase deadline";
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new StreamSamples(target.name(), concurrency, maxBusy, recorded, errors[0], eventsSeen[0], seconds,
                firstError[0]);
    }

    private static StreamResult summarize(String name, int concurrency, int maxConcurrent, List<long[]> streams,
                                          long errors,
                                          long totalEvents, double seconds, String firstError) {
        int events = streams.stream().mapToInt(a -> a.length).min().orElse(0);
        double[] p50 = new double[events];
        double[] p99 = new double[events];
        long[] column = new long[streams.size()];
        for (int i = 0; i < events; i++) {
            for (int s = 0; s < streams.size(); s++) {
                column[s] = streams.get(s)[i];
            }
            long[] sorted = column.clone();
            Arrays.sort(sorted);
            p50[i] = pct(sorted, 0.50);
            p99[i] = pct(sorted, 0.99);
        }
        long[] ttfe = streams.stream().mapToLong(a -> a.length > 0 ? a[0] : 0).sorted().toArray();
        long maxGap = 0;
        long[] last = new long[streams.size()];
        for (int s = 0; s < streams.size(); s++) {
            long[] a = streams.get(s);
            for (int i = 1; i < a.length; i++) {
                maxGap = Math.max(maxGap, a[i] - a[i - 1]);
            }
            last[s] = a.length > 0 ? a[a.length - 1] : 0;
        }
        Arrays.sort(last);
        return new StreamResult(name, concurrency, maxConcurrent, streams.size(), errors, totalEvents, events,
                pct(ttfe, 0.50), pct(ttfe, 0.99), ttfe.length == 0 ? Double.NaN : ttfe[ttfe.length - 1] / 1e6,
                p50, p99, pct(last, 0.50), maxGap / 1e6, seconds, firstError);
    }

    /** @return the number of connections still busy when the deadline ended the loop */
    private int loop(List<Conn> conns, Target target, boolean streaming, Workload w) throws IOException {
        byte[] request = streaming ? target.streamRequest() : target.nonStreamRequest();
        try (Selector selector = Selector.open()) {
            for (Conn c : conns) {
                c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
            }
            // Connections not yet started, in start order (their start times only grow with the index).
            int nextPending = 0;
            int busy = 0;
            maxBusy = 0;
            while (true) {
                long now = System.nanoTime();
                while (nextPending < conns.size() && conns.get(nextPending).nextStartNs <= now) {
                    Conn c = conns.get(nextPending++);
                    send(c, request, now);
                    busy++;
                }
                maxBusy = Math.max(maxBusy, busy);
                if (w.finished(now, busy)) {
                    return 0;
                }
                if (now >= w.deadline()) {
                    return busy;
                }
                long waitNs = nextPending < conns.size() ? conns.get(nextPending).nextStartNs - now : 5_000_000L;
                long waitMs = Math.max(1, Math.min(5, waitNs / 1_000_000L));
                selector.select(waitMs);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        if (key.isWritable()) {
                            c.channel.write(c.pendingWrite);
                            if (!c.pendingWrite.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        if (key.isReadable()) {
                            busy -= read(c, target, request, w, selector);
                        }
                    } catch (IOException | RuntimeException e) {
                        long t = System.nanoTime();
                        boolean again = false;
                        if (c.busy) {
                            again = w.onError(c, t, e.getClass().getSimpleName() + ": " + e.getMessage());
                            c.busy = false;
                            busy--;
                        }
                        // After a failure the connection continues its workload on a fresh socket.
                        reconnect(c, target, selector);
                        if (again && t < w.deadline()) {
                            send(c, request, t);
                            busy++;
                        }
                    }
                }
            }
        }
    }

    /** @return 1 when the connection became idle, else 0 */
    private int read(Conn c, Target target, byte[] request, Workload w, Selector selector) throws IOException {
        ByteBuffer buf = readBuffer;
        buf.clear();
        int n = c.channel.read(buf);
        if (n < 0) {
            throw new IOException("connection closed by the server" + (c.busy ? " during a response" : ""));
        }
        if (n == 0) {
            return 0;
        }
        buf.flip();
        long now = System.nanoTime();
        if (!c.busy) {
            throw new IOException("unexpected bytes on an idle connection");
        }
        if (!c.parser.feed(buf, now, c.events.length > 0 ? c : null)) {
            return 0;
        }
        if (buf.hasRemaining()) {
            throw new IOException("bytes after the end of a response");
        }
        c.busy = false;
        int status = c.parser.status();
        String body = status == 200 ? "" : c.parser.capturedBody();
        boolean again = w.onComplete(c, now, status, body);
        if (c.parser.connectionClose()) {
            reconnect(c, target, selector); // the server ended keep-alive; costs a connect, not an error
        }
        if (again) {
            send(c, request, System.nanoTime());
            return 0;
        }
        return 1;
    }

    private static void send(Conn c, byte[] request, long now) throws IOException {
        c.parser.reset(true);
        c.eventCount = 0;
        c.busy = true;
        c.startNs = now;
        ByteBuffer out = ByteBuffer.wrap(request);
        c.channel.write(out);
        if (out.hasRemaining()) {
            c.pendingWrite = out;
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
    }

    private static List<Conn> open(Target target, int n, boolean streaming) throws IOException {
        List<Conn> conns = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                Conn c = new Conn(i, streaming);
                c.channel = connect(target.address());
                conns.add(c);
            }
        } catch (IOException e) {
            close(conns);
            throw new IOException("could not open " + n + " connections to " + target.name() + " ("
                    + conns.size() + " opened): " + e.getMessage(), e);
        }
        return conns;
    }

    private static SocketChannel connect(InetSocketAddress address) throws IOException {
        SocketChannel ch = SocketChannel.open();
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(address);
        ch.configureBlocking(false);
        return ch;
    }

    private static void reconnect(Conn c, Target target, Selector selector) throws IOException {
        c.key.cancel();
        c.channel.close();
        // no selectNow() here to flush the cancelled key: this runs while the loop iterates the selected keys, which
        // a select would modify (ConcurrentModificationException); the new channel is a different channel anyway
        c.channel = connect(target.address());
        c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
    }

    private static void close(List<Conn> conns) {
        for (Conn c : conns) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closing at the end of a phase; nothing left to do with this socket
            }
        }
    }

    /** @return the q-quantile of sorted nanosecond values, in milliseconds (nearest rank) */
    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))] / 1e6;
    }

    /** A growable array of longs, so a phase records latencies without boxing. */
    static final class LongList {
        private long[] values;
        private int size;

        LongList(int capacity) {
            values = new long[capacity];
        }

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }
    }
}
