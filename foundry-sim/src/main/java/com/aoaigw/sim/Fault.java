package com.aoaigw.sim;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A failure the simulator can inject into one data-plane request, selected by the {@code x-sim-fault} header or a
 * deployment's default. Each constant's {@link #wireName()} is the header value.
 */
public enum Fault {
    /** No fault; as a header value it also switches off a deployment's default fault for one request. */
    NONE("none"),
    /** HTTP 429 with Azure's rate-limit headers ({@code retry-after}, {@code retry-after-ms}, {@code x-ratelimit-*}). */
    RATE_LIMIT("429"),
    /** HTTP 500 with an Azure-shaped error body. */
    SERVER_ERROR("500"),
    /** HTTP 503 with an Azure-shaped error body. */
    UNAVAILABLE("503"),
    /** HTTP 400 with Azure's prompt content-filter error body. */
    CONTENT_FILTER("content-filter"),
    /** Sleep {@code x-sim-delay-ms} before sending the status line and headers. */
    SLOW_HEADERS("slow-headers"),
    /** Send the status and headers of a stream, then sleep {@code x-sim-delay-ms} before the first event. */
    STALL_BEFORE_FIRST_EVENT("stall-before-first-event"),
    /** Sleep {@code x-sim-delay-ms} after the first three events of a stream. */
    STALL_MID_STREAM("stall-mid-stream"),
    /**
     * Send every event of a stream (its usage and {@code [DONE]} included), flush, then sleep {@code x-sim-delay-ms}
     * before ending the response: a client has the whole answer while the connection is still open.
     */
    LINGER_AFTER_LAST_EVENT("linger-after-last-event"),
    /** Abort the connection after the first three events of a stream, without a terminating chunk. */
    RESET_MID_STREAM("reset-mid-stream"),
    /** Put multi-byte characters in the content and split one of them across two separate writes. */
    SPLIT_UTF8("split-utf8"),
    /** Close the connection without sending any response. */
    DISCONNECT_BEFORE_HEADERS("disconnect-before-headers");

    private static final Map<String, Fault> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Fault::wireName, Function.identity()));

    private final String wireName;

    Fault(String wireName) {
        this.wireName = wireName;
    }

    /** @return the value used in the {@code x-sim-fault} header and in settings */
    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return wireName;
    }

    /**
     * The fault named by a header or setting value.
     *
     * @param name the wire name, case-insensitive
     * @return the fault, or empty when the name is unknown
     */
    public static Optional<Fault> fromWireName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_NAME.get(name.trim().toLowerCase(Locale.ROOT)));
    }
}
