package com.aoaigw.proxy.usage;

import java.util.List;
import java.util.Map;

/**
 * The usage over a range at one resolution, grouped by one dimension.
 *
 * @param fromMillis start of the first bucket of the range
 * @param toMillis   end of the range (exclusive)
 * @param step       the resolution
 * @param by         the dimension
 * @param scope      {@code fleet} (every replica, read from Redis) or {@code replica} (this process)
 * @param buckets    the buckets that had traffic, ascending
 * @param groups     the whole range per group name (sorted by name)
 * @param total      the whole range
 */
public record UsageReport(long fromMillis, long toMillis, Resolution step, Dims.Dimension by, String scope,
                          List<Bucket> buckets, Map<String, UsageCell> groups, UsageCell total) {
    /**
     * One bucket.
     *
     * @param t      its start (epoch ms)
     * @param groups per group name
     */
    public record Bucket(long t, Map<String, UsageCell> groups) {
    }
}
