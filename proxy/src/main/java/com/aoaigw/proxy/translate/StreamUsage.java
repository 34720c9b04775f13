package com.aoaigw.proxy.translate;

/**
 * Token usage seen on a stream (or in a body), for the stats, in neutral terms.
 *
 * @param prompt     prompt / input tokens
 * @param completion completion / output tokens
 * @param cached     cached prompt tokens
 * @param reasoning  reasoning tokens (part of completion)
 */
public record StreamUsage(long prompt, long completion, long cached, long reasoning) {
    /**
     * Total tokens.
     *
     * @return prompt + completion
     */
    public long total() {
        return prompt + completion;
    }
}
