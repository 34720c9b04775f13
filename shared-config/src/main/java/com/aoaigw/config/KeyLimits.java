package com.aoaigw.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The limits of one client key ({@code apiKeys[].limits}). Every field is optional; an absent field means unlimited.
 * Minute windows slide (a limit of 60 per minute admits at most 60 in any 60 seconds); days and months are
 * calendar periods in UTC.
 *
 * @param rpm            requests per minute; a positive integer
 * @param tpm            tokens per minute (prompt plus completion, as Azure reports them); a positive integer
 * @param maxConcurrent  requests in flight at once (a stream counts until it ends); a positive integer
 * @param tokensPerDay   tokens per UTC calendar day; a positive integer
 * @param tokensPerMonth tokens per UTC calendar month; a positive integer
 * @param budgetPerMonth spending per UTC calendar month, in the models' {@code pricing.currency}; a positive number
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record KeyLimits(Integer rpm, Integer tpm, Integer maxConcurrent, Long tokensPerDay, Long tokensPerMonth,
                        Double budgetPerMonth) {
    /** @return true when no field is set */
    public boolean none() {
        return rpm == null && tpm == null && maxConcurrent == null && tokensPerDay == null && tokensPerMonth == null
                && budgetPerMonth == null;
    }
}
