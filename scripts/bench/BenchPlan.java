import java.util.List;
import java.util.Map;

/**
 * What one bench run does: phase lengths, concurrencies and stream shapes. {@code BENCH_QUICK=1} shrinks every phase
 * for a smoke run of the harness itself (numbers from it are not comparable).
 *
 * @param concurrencies   non-stream connection counts
 * @param warmupMs        initial warm-up through the proxy (JIT), not recorded: at most this long...
 * @param warmupRequests  ...or until this many requests went through the proxy
 * @param phaseWarmupMs   per non-stream slice: time before the measured window (new connections each slice)
 * @param measureMs       per non-stream phase and side: the measured time, split into {@code slices} windows
 * @param slices          non-stream slices per side; direct and proxy slices alternate
 * @param streamTokens    content deltas per stream (words of the simulator's answer to a tool result)
 * @param streamPhases    stream shapes
 * @param streamTimeoutMs deadline of one stream phase
 * @param settleMs        quiet time before an idle RSS reading
 * @param quick           a smoke run
 */
record BenchPlan(List<Integer> concurrencies, long warmupMs, long warmupRequests, long phaseWarmupMs, long measureMs, int slices,
                 int streamTokens, List<StreamPhase> streamPhases, long streamTimeoutMs, long settleMs, boolean quick) {
    /**
     * JVM flags of the proxy in the bench, and the recommended production defaults: a fixed-size small heap with the
     * serial collector (one core's worth of GC work, no concurrent GC threads competing with request threads on a
     * small machine, lowest native overhead), compact object headers (JDK 25, smaller heap per object).
     */
    static final String DEFAULT_PROXY_JVM_FLAGS = "-XX:+UseSerialGC -Xms64m -Xmx256m -XX:+UseCompactObjectHeaders";
    /** The simulator only has to be fast; same collector so both servers behave alike. */
    static final String DEFAULT_SIM_JVM_FLAGS = "-XX:+UseSerialGC -Xms128m -Xmx512m -XX:+UseCompactObjectHeaders";

    /**
     * One stream scenario.
     *
     * @param concurrency     concurrent streams (one connection each)
     * @param tokensPerSecond the simulator deployment's pace ({@code POST /_sim/config}); deltas 1000/this ms apart
     * @param warmRounds      per slice, streams per connection before recording
     * @param rounds          per slice, recorded streams per connection
     * @param staggerMs       the connections' first streams start spread over this time, so concurrency is steady
     * @param slices          slices per side; direct and proxy slices alternate
     */
    record StreamPhase(int concurrency, int tokensPerSecond, int warmRounds, int rounds, long staggerMs, int slices) {
        double intervalMs() {
            return 1000.0 / tokensPerSecond;
        }
    }

    static BenchPlan from(Map<String, String> env) {
        boolean quick = "1".equals(env.get("BENCH_QUICK"));
        if (quick) {
            return new BenchPlan(List.of(1, 16, 64), 1000, 1000, 200, 1000, 2, 20, List.of(
                    new StreamPhase(1, 100, 1, 2, 0, 1),
                    new StreamPhase(200, 100, 0, 1, 200, 1),
                    new StreamPhase(2000, 10, 0, 1, 500, 1)), 30_000, 500, true);
        }
        List<StreamPhase> streams = "1".equals(env.get("BENCH_SKIP_STREAMS")) ? List.of() : List.of(
                new StreamPhase(1, 50, 2, 6, 0, 2),
                new StreamPhase(200, 50, 1, 2, 400, 2),
                new StreamPhase(2000, 4, 0, 1, 1000, 1));
        // Longer runs for profiling: BENCH_WARMUP_MS (initial warm-up), BENCH_MEASURE_MS (per non-stream phase).
        long warmup = Long.parseLong(env.getOrDefault("BENCH_WARMUP_MS", "60000"));
        long warmupRequests = Long.parseLong(env.getOrDefault("BENCH_WARMUP_REQUESTS", "200000"));
        long measure = Long.parseLong(env.getOrDefault("BENCH_MEASURE_MS", "5000"));
        return new BenchPlan(List.of(1, 16, 64), warmup, warmupRequests, 250, measure, 5, 20, streams, 60_000, 2000, false);
    }
}
