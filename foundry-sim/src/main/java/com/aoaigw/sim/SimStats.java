package com.aoaigw.sim;

/**
 * Counters of what happened since start (or the last {@link FoundrySim#clearRequests()}).
 *
 * @param requests          data-plane requests received ({@code /openai/...})
 * @param clientDisconnects responses that could not be completed because the client went away (a write or flush
 *                          failed) or the connection closed before the stream finished
 * @param streamsStarted    SSE responses that began
 * @param streamsCompleted  SSE responses written to the end
 * @param tokenRequests     requests to the Entra token endpoint and the managed-identity endpoints
 */
public record SimStats(long requests, long clientDisconnects, long streamsStarted, long streamsCompleted,
                       long tokenRequests) {
}
