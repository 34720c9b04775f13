package com.aoaigw.proxy.observe;

import com.aoaigw.proxy.translate.Usage;

/**
 * What is known about one request as it goes through the proxy; filled in by the handlers (single thread) and
 * recorded once when the request ends. Registered in the request context by the request filter.
 */
public final class ExchangeLog {
    /**
     * What is recorded (access log, metrics, stats, admin log view) for a model id that no configured model has:
     * the client chose that string, so keeping it would let anyone grow every table keyed by model.
     */
    public static final String UNKNOWN_MODEL = "_unknown";
    /** Longest model id recorded; configured ids are short, this only guards against a caller's mistake. */
    static final int MAX_MODEL = 128;

    private final String requestId;
    private final long startNanos;
    private final String method;
    private final String path;
    private String keyId;
    private String route;
    private String model;
    private String deployment;
    private String upstream;
    private int status;
    private long ttftMs = -1;
    private Usage usage = Usage.NONE;
    private String errorCode;
    private boolean stream;
    private java.util.List<Attempt> attempts = java.util.List.of();
    private String clientAddress;
    private String userAgent;
    private String limited;

    /**
     * @param requestId  the request id
     * @param startNanos {@link System#nanoTime()} at arrival
     * @param method     HTTP method
     * @param path       request path
     */
    public ExchangeLog(String requestId, long startNanos, String method, String path) {
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.method = method;
        this.path = path;
    }

    /** @return the request id */
    public String requestId() {
        return requestId;
    }

    /** @return arrival time in nanos */
    public long startNanos() {
        return startNanos;
    }

    /** @return HTTP method */
    public String method() {
        return method;
    }

    /** @return path */
    public String path() {
        return path;
    }

    /** @return the client's address (the peer, or the address a local reverse proxy forwarded), or null */
    public String clientAddress() {
        return clientAddress;
    }

    /** @return the client's {@code User-Agent} (at most 256 characters), or null */
    public String userAgent() {
        return userAgent;
    }

    /**
     * @param address   the client's address
     * @param userAgent its {@code User-Agent}; cut at 256 characters (a client-supplied string that is logged)
     */
    public void client(String address, String userAgent) {
        this.clientAddress = address;
        this.userAgent = userAgent == null || userAgent.length() <= 256 ? userAgent : userAgent.substring(0, 256);
    }

    /** @return client key id or null */
    public String keyId() {
        return keyId;
    }

    /** @param keyId client key id */
    public void keyId(String keyId) {
        this.keyId = keyId;
    }

    /** @return route key or null */
    public String route() {
        return route;
    }

    /** @param route route key */
    public void route(String route) {
        this.route = route;
    }

    /** @return public model or null */
    public String model() {
        return model;
    }

    /** @param model public model: a configured model id, or {@link #UNKNOWN_MODEL} (longer values are cut) */
    public void model(String model) {
        this.model = model != null && model.length() > MAX_MODEL ? model.substring(0, MAX_MODEL) : model;
    }

    /** @return deployment or null */
    public String deployment() {
        return deployment;
    }

    /** @param deployment deployment */
    public void deployment(String deployment) {
        this.deployment = deployment;
    }

    /** @return upstream name or null */
    public String upstream() {
        return upstream;
    }

    /** @param upstream upstream name */
    public void upstream(String upstream) {
        this.upstream = upstream;
    }

    /** @return final status (499 when the client went away) */
    public int status() {
        return status;
    }

    /** @param status final status */
    public void status(int status) {
        this.status = status;
    }

    /** @return time to first token/byte to the client in ms, or -1 */
    public long ttftMs() {
        return ttftMs;
    }

    /** @param ttftMs time to first byte in ms */
    public void ttftMs(long ttftMs) {
        this.ttftMs = ttftMs;
    }

    /** @return usage */
    public Usage usage() {
        return usage;
    }

    /** @param usage usage */
    public void usage(Usage usage) {
        this.usage = usage;
    }

    /** @return error code or null */
    public String errorCode() {
        return errorCode;
    }

    /** @param errorCode error code */
    public void errorCode(String errorCode) {
        this.errorCode = errorCode;
    }

    /** @return whether it streamed */
    public boolean stream() {
        return stream;
    }

    /** @param stream whether it streamed */
    public void stream(boolean stream) {
        this.stream = stream;
    }

    /** @return the number of upstream attempts */
    public int attempts() {
        return attempts.size();
    }

    /** @return every upstream attempt, in order */
    public java.util.List<Attempt> attemptList() {
        return attempts;
    }

    /** @param attempt one more upstream attempt */
    public void attempt(Attempt attempt) {
        if (attempts.isEmpty()) {
            attempts = java.util.List.of(attempt);
            return;
        }
        java.util.List<Attempt> more = new java.util.ArrayList<>(attempts);
        more.add(attempt);
        attempts = more;
    }

    /**
     * One upstream attempt of the request.
     *
     * @param model      the public model it was for (a fallback model differs from the requested one)
     * @param upstream   the upstream name
     * @param deployment the deployment name
     * @param status     the upstream's status, or 0 when there was no answer
     * @param error      the failure code when there was no answer (or the answer was not usable), else null
     * @param ms         how long it took, to the answer's headers (a stream: its first event) or the failure
     */
    public record Attempt(String model, String upstream, String deployment, int status, String error, long ms) {
    }

    /** @return the limit that refused this request ({@code rpm}, {@code tpm}, ...), or null */
    public String limited() {
        return limited;
    }

    /** @param limit the limit that refused this request */
    public void limited(String limit) {
        this.limited = limit;
    }

    // ---- tracing (observe/Telemetry): timed phases, GenAI details, the trace context -----------------------------

    private java.util.List<Phase> phases;
    private GenAiDetails genAi;
    private GenAiReader genAiReader;
    private Telemetry.ServerSpan trace = Telemetry.ServerSpan.NONE;

    /**
     * One timed phase of the request, a child span when tracing is on.
     *
     * @param name       the span name
     * @param startNanos {@link System#nanoTime()} at its start
     * @param endNanos   {@link System#nanoTime()} at its end
     * @param client     true for a call to another service (an upstream attempt, a token fetch)
     * @param error      true when the phase failed
     * @param attributes span attributes (strings, numbers, booleans; never a secret or message text)
     */
    public record Phase(String name, long startNanos, long endNanos, boolean client, boolean error,
                        java.util.Map<String, Object> attributes) {
    }

    /**
     * What the answer said, for the GenAI span attributes.
     *
     * @param responseModel  the {@code model} the upstream answered with, or null
     * @param maxTokens      the output limit the request asked for, 0 when none
     * @param finishReasons  the finish reasons of the answer
     */
    public record GenAiDetails(String responseModel, long maxTokens, java.util.List<String> finishReasons) {
    }

    /**
     * Notes a timed phase.
     *
     * @param phase the phase
     */
    public void phase(Phase phase) {
        if (phases == null) {
            phases = new java.util.ArrayList<>(4);
        }
        phases.add(phase);
    }

    /** @return the timed phases, in the order they were noted */
    public java.util.List<Phase> phases() {
        return phases == null ? java.util.List.of() : phases;
    }

    /** @return the answer's GenAI details, or null */
    public GenAiDetails genAi() {
        return genAi != null ? genAi : genAiReader != null ? genAiReader.details() : null;
    }

    /** @return the reader of GenAI details while this request is traced, else null */
    public GenAiReader genAiReader() {
        return genAiReader;
    }

    /** @param reader the reader of GenAI details for a traced request */
    public void genAiReader(GenAiReader reader) {
        this.genAiReader = reader;
    }

    /** @param details the answer's GenAI details */
    public void genAi(GenAiDetails details) {
        this.genAi = details;
    }

    /** @return true while this request is traced (its phases become spans) */
    public boolean traced() {
        return trace.span() != null;
    }

    /** @return the request's trace context (never null) */
    public Telemetry.ServerSpan trace() {
        return trace;
    }

    /** @param trace the request's trace context */
    public void trace(Telemetry.ServerSpan trace) {
        this.trace = trace == null ? Telemetry.ServerSpan.NONE : trace;
    }
}
