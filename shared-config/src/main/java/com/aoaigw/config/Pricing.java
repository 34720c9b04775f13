package com.aoaigw.config;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a model costs ({@code models[].pricing}), used for {@code apiKeys[].limits.budgetPerMonth} and the cost shown
 * per key. Prices are per one million tokens.
 *
 * @param inputPer1M       price of 1M prompt tokens (not cached); default 0
 * @param cachedInputPer1M price of 1M cached prompt tokens; default {@code inputPer1M}
 * @param outputPer1M      price of 1M completion tokens (reasoning included); default 0
 * @param currency         a label for the amounts, e.g. {@code USD} (default) or {@code EUR}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Pricing(Double inputPer1M, Double cachedInputPer1M, Double outputPer1M, String currency) {
    /** Fills defaults for missing values. */
    public Pricing {
        inputPer1M = Defaults.or(inputPer1M, 0.0);
        cachedInputPer1M = Defaults.or(cachedInputPer1M, inputPer1M);
        outputPer1M = Defaults.or(outputPer1M, 0.0);
        currency = Defaults.str(currency, "USD");
    }

    /**
     * @param promptTokens     prompt tokens, cached ones included
     * @param cachedTokens     the cached part of the prompt
     * @param completionTokens completion tokens
     * @return the cost in {@link #currency()}
     */
    public double cost(long promptTokens, long cachedTokens, long completionTokens) {
        long cached = Math.min(Math.max(cachedTokens, 0), Math.max(promptTokens, 0));
        return ((promptTokens - cached) * inputPer1M + cached * cachedInputPer1M + completionTokens * outputPer1M)
                / 1_000_000.0;
    }
}
