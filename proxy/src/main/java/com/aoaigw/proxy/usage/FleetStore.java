package com.aoaigw.proxy.usage;

import java.util.Map;
import java.util.NavigableMap;

/** Where the replicas of a fleet add up their usage (Redis); every call may fail with a runtime exception. */
interface FleetStore extends AutoCloseable {
    /**
     * Adds one batch of minute cells to every resolution, exactly once even when the same batch is sent again after
     * an unknown outcome (the batch id is remembered).
     *
     * @param batchId a unique id of this batch
     * @param minutes minute start to cells
     */
    void add(String batchId, Map<Long, Map<Dims, UsageCell>> minutes);

    /**
     * @param step the resolution
     * @param from first bucket start (aligned)
     * @param to   range end (exclusive)
     * @return bucket start to cells, ascending; buckets without usage may be missing
     */
    NavigableMap<Long, Map<Dims, UsageCell>> read(Resolution step, long from, long to);

    @Override
    void close();
}
