package com.aoaigw.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Model-wide limits ({@code models[].limits}), counted across all keys. Every field is optional; absent means
 * unlimited.
 *
 * @param rpm           requests per minute (sliding); a positive integer
 * @param tpm           tokens per minute (sliding); a positive integer
 * @param maxConcurrent requests in flight at once; a positive integer
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelLimits(Integer rpm, Integer tpm, Integer maxConcurrent) {
    /** @return true when no field is set */
    public boolean none() {
        return rpm == null && tpm == null && maxConcurrent == null;
    }
}
