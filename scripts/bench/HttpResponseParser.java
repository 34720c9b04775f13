import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An incremental HTTP/1.1 response parser for the load client: status line and headers, then a body framed by
 * {@code Content-Length} or {@code Transfer-Encoding: chunked}. While decoding the body it finds the ends of SSE
 * events (a blank line) and reports each one with the time of the read that completed it, so per-event arrival
 * times are measured where the bytes arrive rather than after the response ends.
 *
 * <p>One instance per connection, reused across responses ({@link #reset()}); it never allocates per byte. It keeps
 * up to {@link #CAPTURE_LIMIT} body bytes only when asked to (for the sanity check of the first response of a phase).
 */
final class HttpResponseParser {
    /** Receives the end of each SSE event found in the body. */
    interface EventListener {
        void onEvent(long nanoTime);
    }

    static final int CAPTURE_LIMIT = 4096;
    private static final int HEADER_LIMIT = 32 * 1024;

    private enum State { HEADERS, BODY_LENGTH, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILER, DONE }

    private final byte[] header = new byte[HEADER_LIMIT];
    private int headerLen;
    private State state = State.HEADERS;
    private int status;
    private long remaining;
    private boolean chunked;
    private boolean connectionClose;
    private long chunkSize;
    private boolean chunkSizeDigits;
    private boolean chunkSizeEnded;
    private int trailerLineLen;
    // SSE scanning state: characters on the current line (CR excluded) and whether the event has any line yet.
    private int sseLineLen;
    private boolean sseEventOpen;
    private boolean capture;
    private final byte[] captured = new byte[CAPTURE_LIMIT];
    private int capturedLen;

    /** Prepares for the next response on the same connection. */
    void reset(boolean captureBody) {
        headerLen = 0;
        state = State.HEADERS;
        status = 0;
        remaining = 0;
        chunked = false;
        connectionClose = false;
        chunkSize = 0;
        chunkSizeDigits = false;
        chunkSizeEnded = false;
        trailerLineLen = 0;
        sseLineLen = 0;
        sseEventOpen = false;
        capture = captureBody;
        capturedLen = 0;
    }

    void reset() {
        reset(false);
    }

    /**
     * Consumes bytes from {@code buf} (position to limit) up to the end of the current response.
     *
     * @param buf      bytes read from the socket, in read mode
     * @param now      the time of the read, reported for events completed by these bytes
     * @param listener event sink
     * @return true when the response is complete; bytes after it stay in {@code buf}
     * @throws IllegalStateException on a malformed response
     */
    boolean feed(ByteBuffer buf, long now, EventListener listener) {
        while (buf.hasRemaining()) {
            switch (state) {
                case HEADERS -> {
                    byte b = buf.get();
                    if (headerLen == HEADER_LIMIT) {
                        throw new IllegalStateException("response headers larger than " + HEADER_LIMIT + " bytes");
                    }
                    header[headerLen++] = b;
                    if (b == '\n' && headerLen >= 4 && header[headerLen - 2] == '\r'
                            && header[headerLen - 3] == '\n' && header[headerLen - 4] == '\r') {
                        parseHeaders();
                        if (state == State.DONE) {
                            return true;
                        }
                    }
                }
                case BODY_LENGTH -> {
                    int n = (int) Math.min(remaining, buf.remaining());
                    body(buf, n, now, listener);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DONE;
                        return true;
                    }
                }
                case CHUNK_SIZE -> {
                    byte b = buf.get();
                    if (b == '\n') {
                        if (!chunkSizeDigits) {
                            throw new IllegalStateException("empty chunk size line");
                        }
                        if (chunkSize == 0) {
                            state = State.TRAILER;
                            trailerLineLen = 0;
                        } else {
                            remaining = chunkSize;
                            state = State.CHUNK_DATA;
                        }
                        chunkSize = 0;
                        chunkSizeDigits = false;
                        chunkSizeEnded = false;
                    } else if (b == ';' || b == ' ' || b == '\r') {
                        chunkSizeEnded = true; // chunk extensions and the CR are ignored
                    } else if (!chunkSizeEnded) {
                        int d = Character.digit(b, 16);
                        if (d < 0) {
                            throw new IllegalStateException("bad chunk size byte " + b);
                        }
                        chunkSize = chunkSize * 16 + d;
                        chunkSizeDigits = true;
                    }
                }
                case CHUNK_DATA -> {
                    int n = (int) Math.min(remaining, buf.remaining());
                    body(buf, n, now, listener);
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.CHUNK_DATA_END;
                    }
                }
                case CHUNK_DATA_END -> {
                    if (buf.get() == '\n') {
                        state = State.CHUNK_SIZE;
                    }
                }
                case TRAILER -> {
                    byte b = buf.get();
                    if (b == '\n') {
                        if (trailerLineLen == 0) {
                            state = State.DONE;
                            return true;
                        }
                        trailerLineLen = 0;
                    } else if (b != '\r') {
                        trailerLineLen++;
                    }
                }
                case DONE -> {
                    return true;
                }
            }
        }
        return state == State.DONE;
    }

    private void body(ByteBuffer buf, int n, long now, EventListener listener) {
        int start = buf.position();
        if (capture && capturedLen < CAPTURE_LIMIT) {
            int c = Math.min(n, CAPTURE_LIMIT - capturedLen);
            buf.get(start, captured, capturedLen, c);
            capturedLen += c;
        }
        if (listener != null) {
            for (int i = start; i < start + n; i++) {
                byte b = buf.get(i);
                if (b == '\n') {
                    if (sseLineLen == 0) {
                        if (sseEventOpen) {
                            listener.onEvent(now);
                            sseEventOpen = false;
                        }
                    } else {
                        sseEventOpen = true;
                    }
                    sseLineLen = 0;
                } else if (b != '\r') {
                    sseLineLen++;
                }
            }
        }
        buf.position(start + n);
    }

    private void parseHeaders() {
        String text = new String(header, 0, headerLen, StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.") || text.length() < 12) {
            throw new IllegalStateException("not an HTTP/1.x response: " + text.lines().findFirst().orElse(""));
        }
        status = Integer.parseInt(text.substring(9, 12));
        long length = -1;
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.contains("chunked");
                case "connection" -> connectionClose = value.contains("close");
                default -> { }
            }
        }
        if (chunked) {
            state = State.CHUNK_SIZE;
        } else if (length > 0) {
            remaining = length;
            state = State.BODY_LENGTH;
        } else if (length == 0 || status == 204 || status == 304) {
            state = State.DONE;
        } else {
            throw new IllegalStateException("response without Content-Length or chunked framing (status " + status + ")");
        }
    }

    int status() {
        return status;
    }

    boolean connectionClose() {
        return connectionClose;
    }

    boolean inProgress() {
        return state != State.DONE && (headerLen > 0 || state != State.HEADERS);
    }

    String capturedBody() {
        return new String(captured, 0, capturedLen, StandardCharsets.UTF_8);
    }
}
