package com.aoaigw.proxy.admin;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of the admin log buffer, already redacted.
 *
 * @param id        increasing from 1
 * @param ts        when it was logged
 * @param level     {@code error}, {@code warn}, {@code info}, {@code debug} or {@code trace}
 * @param logger    the logger name ({@code aoaigw.access} for access-log lines)
 * @param event     the structured event name, or null
 * @param message   the text (for an access-log line, the JSON line)
 * @param requestId the request id, or null
 * @param model     the public model id, or null
 * @param key       the client key id (never the key), or null
 * @param status    the HTTP status, or null
 * @param fields    the structured fields of a JSON line, or null
 * @param lazy      builds the message and the fields when they are read, for entries written far more often than
 *                  read (the access log: one per request, while the admin page reads a page of them now and then);
 *                  null when both are given
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LogEntry(long id, Instant ts, String level, String logger, String event, String message,
                       String requestId, String model, String key, Integer status, JsonNode fields,
                       @JsonIgnore Lazy lazy) {
    /** What an entry builds on demand. */
    public interface Lazy {
        /** @return the message text */
        String message();

        /** @return the structured fields */
        JsonNode fields();
    }

    /** An entry whose fields (if any) are given. */
    public LogEntry(long id, Instant ts, String level, String logger, String event, String message, String requestId,
                    String model, String key, Integer status, JsonNode fields) {
        this(id, ts, level, logger, event, message, requestId, model, key, status, fields, null);
    }

    /** @return the message, built now if it is lazy (not kept: a page of entries is read rarely) */
    @Override
    public String message() {
        return message != null || lazy == null ? message : lazy.message();
    }

    /** @return the structured fields, built now if they are lazy */
    @Override
    public JsonNode fields() {
        return fields != null || lazy == null ? fields : lazy.fields();
    }

    /** @return true when message and fields are built on demand (the fields' text is then the message itself) */
    boolean isLazy() {
        return lazy != null;
    }
}
