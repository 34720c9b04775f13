package com.aoaigw.proxy.state;

import java.util.List;

/**
 * Counters, sliding windows and concurrency slots, kept in this process or shared by all replicas. Callers pass the
 * time, so the logic runs on a fake clock in tests and replicas agree on windows without reading each other's
 * clocks.
 */
public interface SharedState extends AutoCloseable {
    /**
     * Checks every limit and, only when all have room, reserves in all of them, atomically.
     *
     * @param nowMillis the time (epoch milliseconds)
     * @param checks    the limits
     * @return what happened
     * @throws StateUnavailableException when the shared store cannot be reached and may not be replaced
     */
    Admission admit(long nowMillis, List<Check> checks);

    /**
     * Applies the end of an exchange atomically.
     *
     * @param nowMillis the time
     * @param adjusts   the changes
     */
    void charge(long nowMillis, List<Adjust> adjusts);

    /**
     * Reads without changing anything (for the admin page).
     *
     * @param nowMillis the time
     * @param checks    what to read ({@code amount} is ignored)
     * @return per check what it holds now
     */
    long[] read(long nowMillis, List<Check> checks);

    /** @return true when the state is where it should be (always for local; Redis reachable for redis) */
    boolean up();

    /** @return {@code local} or {@code redis} */
    String mode();

    @Override
    void close();
}
