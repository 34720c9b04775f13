package com.aoaigw.sim;

import java.util.List;

/**
 * The planned answer to one request, rendered identically by the stream and non-stream writers.
 *
 * @param deployment       the deployment name (also used as the model name in answers)
 * @param deltas           the content pieces, one per simulated token; empty for a tool call
 * @param toolCall         the function call to make, or null
 * @param truncated        true when the output limit cut the content
 * @param promptTokens     prompt tokens
 * @param reasoningTokens  reasoning tokens (0 for non-reasoning deployments)
 * @param reasoningSummary the reasoning summary text, or null for non-reasoning deployments
 */
record Completion(String deployment, List<String> deltas, ToolCall toolCall, boolean truncated, int promptTokens,
                  int reasoningTokens, String reasoningSummary) {

    /** @return completion tokens: content deltas (or argument pieces) plus reasoning tokens */
    int completionTokens() {
        int visible = toolCall != null ? toolCall.argumentPieces().size() : deltas.size();
        return visible + reasoningTokens;
    }

    /** @return the whole content text */
    String text() {
        return String.join("", deltas);
    }

    /** @return true for a reasoning deployment */
    boolean reasoning() {
        return reasoningSummary != null;
    }

    /**
     * A function call the simulated model makes.
     *
     * @param id             the call id ({@code call_...})
     * @param name           the function name
     * @param argumentPieces the arguments JSON, cut into the pieces that are streamed
     */
    record ToolCall(String id, String name, List<String> argumentPieces) {
        /** @return the whole arguments JSON */
        String arguments() {
            return String.join("", argumentPieces);
        }
    }
}
