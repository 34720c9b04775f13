package com.aoaigw.proxy.limit;

/**
 * What one key has used, for the admin API.
 *
 * @param keyId           the key id
 * @param requestsPerMin  requests in the sliding minute against {@code rpm}
 * @param tokensPerMin    tokens in the sliding minute against {@code tpm}
 * @param concurrent      requests in flight against {@code maxConcurrent}
 * @param tokensToday     tokens this UTC day against {@code tokensPerDay}
 * @param tokensMonth     tokens this UTC month against {@code tokensPerMonth}
 * @param costToday       cost this UTC day
 * @param costMonth       cost this UTC month
 * @param budgetPerMonth  the monthly budget, or null
 * @param budgetRemaining what is left of it, or null
 * @param currency        the currency of the amounts
 * @param dayResetsAt     when the day ends (ISO-8601)
 * @param monthResetsAt   when the month ends (ISO-8601)
 */
public record KeyUsage(String keyId, Meter requestsPerMin, Meter tokensPerMin, Meter concurrent, Meter tokensToday,
                       Meter tokensMonth, double costToday, double costMonth, Double budgetPerMonth,
                       Double budgetRemaining, String currency, String dayResetsAt, String monthResetsAt) {
    /**
     * A value against its limit.
     *
     * @param used  the value
     * @param limit the limit, or null for none
     */
    public record Meter(long used, Number limit) {
    }
}
