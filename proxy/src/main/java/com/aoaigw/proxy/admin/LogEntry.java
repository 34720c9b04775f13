package com.aoaigw.proxy.admin;

import java.time.Instant;

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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LogEntry(long id, Instant ts, String level, String logger, String event, String message,
                       String requestId, String model, String key, Integer status, JsonNode fields) {
}
