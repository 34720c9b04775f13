package com.aoaigw.proxy.usage;

/** Reads the usage history (the admin API and the admin stats use it). */
public interface UsageReader {
    /** @return the time now (epoch ms) on the history's clock */
    long now();

    /**
     * @param fromMillis range start (aligned down to the step)
     * @param toMillis   range end (exclusive)
     * @param step       the resolution
     * @param by         the dimension to group by
     * @return the usage, of the fleet when it can be read, else of this replica
     */
    UsageReport query(long fromMillis, long toMillis, Resolution step, Dims.Dimension by);
}
