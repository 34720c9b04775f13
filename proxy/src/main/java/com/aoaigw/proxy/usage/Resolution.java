package com.aoaigw.proxy.usage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** The resolutions the usage history keeps, each with its retention; buckets are aligned on UTC. */
public enum Resolution {
    /** One bucket per minute, kept 48 hours. */
    MINUTE("minute", "m", 60_000L),
    /** One bucket per hour, kept 90 days. */
    HOUR("hour", "h", 3_600_000L),
    /** One bucket per UTC day, kept 13 months. */
    DAY("day", "d", 86_400_000L);

    private final String label;
    private final String code;
    private final long stepMillis;

    Resolution(String label, String code, long stepMillis) {
        this.label = label;
        this.code = code;
        this.stepMillis = stepMillis;
    }

    /** @return {@code minute}, {@code hour} or {@code day} */
    public String label() {
        return label;
    }

    /** @return a one-letter code (Redis keys, snapshot) */
    String code() {
        return code;
    }

    /** @return the bucket width in ms */
    public long stepMillis() {
        return stepMillis;
    }

    /**
     * @param millis a time
     * @return the start of the bucket holding it
     */
    public long align(long millis) {
        return Math.floorDiv(millis, stepMillis) * stepMillis;
    }

    /**
     * @param nowMillis the time now
     * @return the start of the oldest bucket still kept: buckets starting before it are dropped
     */
    public long oldestKept(long nowMillis) {
        return switch (this) {
            case MINUTE -> align(nowMillis - 48 * 3_600_000L);
            case HOUR -> align(nowMillis - 90 * 86_400_000L);
            case DAY -> ZonedDateTime.ofInstant(Instant.ofEpochMilli(nowMillis), ZoneOffset.UTC).minusMonths(13)
                    .toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        };
    }

    /**
     * @param code a code of {@link #code()}
     * @return the resolution, or null
     */
    static Resolution ofCode(String code) {
        for (Resolution r : values()) {
            if (r.code.equals(code)) {
                return r;
            }
        }
        return null;
    }
}
