package com.aoaigw.sim;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sliding windows behind {@link Capacity}: per deployment, the admitted requests of the last minute with their
 * tokens. Every method takes the current time, so a test can drive it with plain numbers.
 */
final class CapacityMeter {
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /**
     * Admits a request when it fits, and reports the deployment's state either way.
     *
     * @param deployment the deployment
     * @param capacity   its capacity
     * @param tokens     the request's estimated tokens
     * @param now        epoch ms
     * @return the decision
     */
    Decision admit(String deployment, Capacity capacity, long tokens, long now) {
        return windows.computeIfAbsent(deployment, k -> new Window()).admit(capacity, tokens, now);
    }

    /** Forgets every window (a new sim config or a reset of the counts). */
    void clear() {
        windows.clear();
    }

    /**
     * @param admitted          whether the request may proceed
     * @param retryAfterMs      when refused: the wait until it would fit
     * @param remainingRequests requests left in the window (after this one), or -1 without a request limit
     * @param remainingTokens   tokens left in the window, or -1 without a token limit
     * @param utilisation       percent of the tighter limit in use, 0 to 100
     */
    record Decision(boolean admitted, long retryAfterMs, long remainingRequests, long remainingTokens,
                    double utilisation) {
    }

    private static final class Window {
        private final ArrayDeque<long[]> entries = new ArrayDeque<>();
        private long tokenSum;

        synchronized Decision admit(Capacity c, long tokens, long now) {
            while (!entries.isEmpty() && entries.peekFirst()[0] <= now - Capacity.WINDOW_MS) {
                tokenSum -= entries.pollFirst()[1];
            }
            boolean requestsFit = c.rpm() == 0 || entries.size() + 1 <= c.rpm();
            boolean tokensFit = c.tpm() == 0 || tokenSum + tokens <= c.tpm() || entries.isEmpty();
            long retryAfter = 0;
            if (requestsFit && tokensFit) {
                entries.addLast(new long[] {now, tokens});
                tokenSum += tokens;
            } else {
                if (!requestsFit) {
                    // the oldest requests leave until one more fits
                    int leave = entries.size() + 1 - c.rpm();
                    long at = 0;
                    int i = 0;
                    for (long[] e : entries) {
                        if (++i == leave) {
                            at = e[0];
                            break;
                        }
                    }
                    retryAfter = at + Capacity.WINDOW_MS - now;
                }
                if (!tokensFit) {
                    long freed = 0;
                    for (long[] e : entries) {
                        freed += e[1];
                        if (tokenSum - freed + tokens <= c.tpm()) {
                            retryAfter = Math.max(retryAfter, e[0] + Capacity.WINDOW_MS - now);
                            break;
                        }
                    }
                }
                retryAfter = Math.max(1, retryAfter);
            }
            long remReq = c.rpm() == 0 ? -1 : Math.max(0, c.rpm() - entries.size());
            long remTok = c.tpm() == 0 ? -1 : Math.max(0, c.tpm() - tokenSum);
            double util = 0;
            if (c.rpm() > 0) {
                util = Math.max(util, 100.0 * entries.size() / c.rpm());
            }
            if (c.tpm() > 0) {
                util = Math.max(util, 100.0 * tokenSum / c.tpm());
            }
            return new Decision(requestsFit && tokensFit, retryAfter, remReq, remTok, Math.min(100, util));
        }
    }
}
