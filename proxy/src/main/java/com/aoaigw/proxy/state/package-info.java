/**
 * Shared state: counters, sliding minute windows and concurrency slots that the limiter (and, later, the deployment
 * pools) keep. {@link com.aoaigw.proxy.state.SharedState} has two implementations: {@link
 * com.aoaigw.proxy.state.LocalSharedState} (this process only, the default) and {@link
 * com.aoaigw.proxy.state.RedisSharedState} (all replicas, one atomic Lua script per admission and one per charge).
 * Nothing here knows about keys, models or HTTP.
 */
package com.aoaigw.proxy.state;
