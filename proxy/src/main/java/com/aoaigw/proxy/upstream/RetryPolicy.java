package com.aoaigw.proxy.upstream;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import com.aoaigw.config.UpstreamSettings;

/**
 * When to try the upstream again. Only before the first byte reached the client, and only for connect failures,
 * 429 and {@code retryStatuses}, up to {@code maxRetries}.
 *
 * <p>Wait: the upstream's {@code retry-after-ms}, {@code x-ms-retry-after-ms} or {@code retry-after} (seconds or
 * an HTTP date), capped at {@code retryAfterMaxMs}; otherwise exponential backoff
 * {@code min(retryMaxMs, retryBaseMs * 2^(n-1))} plus up to a quarter of that as jitter, capped at
 * {@code retryMaxMs}. When the wait would not fit in what is left of {@code requestTimeoutMs}, no retry: the
 * upstream's answer goes to the client at once, with its headers.
 *
 * @param settings the upstream settings of the snapshot
 */
public record RetryPolicy(UpstreamSettings settings) {
    /**
     * @param status an upstream status
     * @return true when it may be retried
     */
    public boolean retryableStatus(int status) {
        return status == 429 || settings.retryStatuses().contains(status);
    }

    /**
     * @param retryNumber 1 for the first retry
     * @param random      uniform [0,1)
     * @return the backoff in ms
     */
    public long backoffMs(int retryNumber, DoubleSupplier random) {
        long base = settings.retryBaseMs();
        long max = settings.retryMaxMs();
        int shift = Math.min(30, Math.max(0, retryNumber - 1));
        long b = Math.min(max, base << shift);
        long jitter = (long) (random.getAsDouble() * (b / 4.0));
        return Math.min(max, b + jitter);
    }

    /**
     * Decides the wait before the next attempt.
     *
     * @param retriesDone  retries made so far
     * @param retryAfterMs the upstream's requested wait, if any
     * @param remainingMs  what is left of the request budget
     * @param random       uniform [0,1)
     * @return the wait in ms, or empty for no retry
     */
    public OptionalLong delay(int retriesDone, OptionalLong retryAfterMs, long remainingMs, DoubleSupplier random) {
        if (retriesDone >= settings.maxRetries()) {
            return OptionalLong.empty();
        }
        long wait = retryAfterMs.isPresent()
                ? Math.min(Math.max(0, retryAfterMs.getAsLong()), settings.retryAfterMaxMs())
                : backoffMs(retriesDone + 1, random);
        // a retry must leave the attempt some time of its own
        if (wait >= remainingMs) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(wait);
    }

    /**
     * Reads the upstream's requested wait.
     *
     * @param header header lookup by lower-case name
     * @param now    the current time (for HTTP dates)
     * @return the wait in ms
     */
    public static OptionalLong retryAfterMs(Function<String, String> header, Instant now) {
        for (String name : new String[] {"retry-after-ms", "x-ms-retry-after-ms"}) {
            String v = header.apply(name);
            if (v != null) {
                try {
                    return OptionalLong.of((long) Double.parseDouble(v.trim()));
                } catch (NumberFormatException ignored) {
                    // fall through to the next header
                }
            }
        }
        String ra = header.apply("retry-after");
        if (ra == null || ra.isBlank()) {
            return OptionalLong.empty();
        }
        String v = ra.trim();
        try {
            return OptionalLong.of((long) (Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return OptionalLong.of(Math.max(0, at.toEpochMilli() - now.toEpochMilli()));
            } catch (DateTimeParseException e2) {
                return OptionalLong.empty();
            }
        }
    }
}
