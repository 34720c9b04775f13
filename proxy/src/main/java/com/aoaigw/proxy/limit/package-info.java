/**
 * Limits, quotas and budgets: {@link com.aoaigw.proxy.limit.Limiter} turns a key's and a model's configured limits
 * into checks on the {@link com.aoaigw.proxy.state.SharedState}, admits or refuses a request before anything is
 * sent to Azure, and charges the actual usage when the exchange ends. {@link
 * com.aoaigw.proxy.limit.PromptEstimator} counts the prompt with a real tokenizer for the token windows.
 */
package com.aoaigw.proxy.limit;
