package com.aoaigw.proxy.limit;

/**
 * Why a request was not admitted; the request path turns it into an OpenAI-shaped error.
 *
 * @param status   HTTP status (429, or 503 when the shared state is unavailable)
 * @param type     OpenAI error type: {@code requests}, {@code tokens}, {@code insufficient_quota} or
 *                 {@code shared_state_unavailable}
 * @param code     OpenAI error code: {@code rate_limit_exceeded}, {@code insufficient_quota} or
 *                 {@code shared_state_unavailable}
 * @param limit    the limit's name for the metric label: {@code rpm}, {@code tpm}, {@code maxConcurrent},
 *                 {@code tokensPerDay}, {@code tokensPerMonth}, {@code budgetPerMonth}, {@code model_rpm},
 *                 {@code model_tpm}, {@code model_maxConcurrent} or {@code shared_state}
 * @param message  the message for the client
 * @param retryMs  milliseconds until a retry can succeed (for {@code retry-after}), 0 when unknown
 * @param headers  the key's {@code x-ratelimit-*} values at the refusal
 */
public record Refusal(int status, String type, String code, String limit, String message, long retryMs,
                      RateHeaders headers) {
}
