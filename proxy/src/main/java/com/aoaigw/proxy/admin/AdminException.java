package com.aoaigw.proxy.admin;

import java.util.List;

import com.aoaigw.config.ConfigProblem;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How an admin API request ends in an error: the admin services throw one of these, and the one handler that
 * {@link AdminFeature} registers with {@code routing.error} renders it in the admin API's error shape
 * ({@link AdminErrors}: {@code {"error":{"message","code","details":[{path,message,severity}]}}}). Headers set on the
 * response before the throw (an {@code ETag}, a {@code Retry-After}) stay on it.
 */
abstract sealed class AdminException extends RuntimeException
        permits AdminException.Refused, AdminException.Invalid, AdminException.Failed {
    private final int status;
    private final String code;
    private final transient List<ConfigProblem> details;
    private final transient ObjectNode extra;

    private AdminException(int status, String code, String message, List<ConfigProblem> details, ObjectNode extra,
                           Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
        this.code = code;
        this.details = List.copyOf(details);
        this.extra = extra;
    }

    /**
     * @param status  HTTP status
     * @param code    the error code
     * @param message what went wrong, for the operator
     * @return a {@link Failed} for a 5xx status, else a {@link Refused}
     */
    static AdminException of(int status, String code, String message) {
        return status >= 500 ? new Failed(status, code, message) : new Refused(status, code, message);
    }

    /** @return the HTTP status */
    int status() {
        return status;
    }

    /** @return the error code ({@code error.code}) */
    String code() {
        return code;
    }

    /** @return the problems listed in {@code error.details}, each with its JSON path */
    List<ConfigProblem> details() {
        return details;
    }

    /** @return fields added next to {@code error} (the current version on a conflict), or null */
    ObjectNode extra() {
        return extra;
    }

    /** The request cannot be done as sent: a bad body, an unknown id, a missing If-Match, a conflict (4xx). */
    static final class Refused extends AdminException {
        Refused(int status, String code, String message) {
            this(status, code, message, List.of(), null);
        }

        Refused(int status, String code, String message, List<ConfigProblem> details, ObjectNode extra) {
            super(status, code, message, details, extra, null);
        }
    }

    /** The config the request would put in force has errors: 422 {@code config_invalid} with each problem. */
    static final class Invalid extends AdminException {
        Invalid(String message, List<ConfigProblem> problems) {
            super(422, "config_invalid", message, problems, null, null);
        }
    }

    /** The gateway could not do it: the store failed, the stored config is unreadable (5xx). */
    static final class Failed extends AdminException {
        Failed(int status, String code, String message) {
            super(status, code, message, List.of(), null, null);
        }
    }
}
