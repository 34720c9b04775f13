import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.aoaigw.config.KeyLimits;
import com.aoaigw.config.ModelRoute;
import com.aoaigw.config.Pricing;
import com.aoaigw.proxy.limit.Limiter;
import com.aoaigw.proxy.limit.PromptEstimator;
import com.aoaigw.proxy.route.ModelFamily;
import com.aoaigw.proxy.state.LocalSharedState;
import com.aoaigw.proxy.state.RedisSharedState;
import com.aoaigw.proxy.state.SharedState;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * `make bench`, limits part: what a key with limits adds to a request, measured in-process on the proxy's own
 * limiter at 16 threads: the prompt estimate (parse + jtokkit), the admission (rpm, tpm, maxConcurrent, daily and
 * monthly tokens, budget) and the charge, per request, in local mode and against a redis-server on loopback (started
 * here when redis-server is installed), with the CPU time per request of this JVM and of redis-server (from
 * /proc; the JVM's includes the load threads' own loop). Run by scripts/bench.sh with the built proxy jar on the class
 * path (BENCH_CLK_TCK: the kernel's clock ticks per second, default 100).
 */
public class LimitsBench {
    static final int THREADS = 16;
    static final int PER_THREAD = 2000;
    static final byte[] BODY = ("{\"model\":\"gpt-5-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a "
            + "helpful assistant.\"},{\"role\":\"user\",\"content\":\"Summarise the benefits of a sliding window rate "
            + "limiter in two sentences.\"}]}").getBytes(java.nio.charset.StandardCharsets.UTF_8);

    public static void main(String[] args) throws Exception {
        System.out.println("limits: added time per request of a limited key (estimate + admission + charge), "
                + THREADS + " threads x " + PER_THREAD + " requests:");
        System.out.printf("  %-28s %9s %9s %9s %12s %14s%n", "mode", "p50 ms", "p99 ms", "req/s", "CPU us/req",
                "redis us/req");
        try (SharedState local = new LocalSharedState()) {
            run("local", local, -1);
        }
        Path dir = Files.createTempDirectory("limits-bench");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process redis;
        try {
            redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (java.io.IOException e) {
            System.out.println("  redis: redis-server not installed (scripts/install-tools.sh installs it); skipped");
            return;
        }
        try {
            Thread.sleep(300);
            SharedState r = null;
            for (int i = 0; i < 50 && (r == null || !r.up()); i++) {
                if (r != null) {
                    r.close();
                    Thread.sleep(100);
                }
                r = new RedisSharedState("redis://127.0.0.1:" + port, "bench:", false);
            }
            try (SharedState state = r) {
                run("redis (loopback)", state, redis.pid());
            }
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** @return CPU time (user + system) of a process so far, in nanoseconds, from /proc (0 where there is none) */
    static long cpuNanos(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String tck = System.getenv("BENCH_CLK_TCK");
            long hz = tck == null || tck.isBlank() ? 100 : Long.parseLong(tck.trim());
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * (1_000_000_000L / hz);
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    static void run(String name, SharedState state, long redisPid) throws Exception {
        Limiter limiter = new Limiter(state, System::currentTimeMillis);
        PromptEstimator estimator = new PromptEstimator();
        ObjectMapper mapper = new ObjectMapper();
        KeyLimits limits = new KeyLimits(1_000_000_000, 2_000_000_000, 1_000_000, 1_000_000_000_000L,
                1_000_000_000_000L, 1e12);
        ModelRoute model = new ModelRoute("gpt-5-mini", "u", "d", null, null, null, null, null, null, null,
                new Pricing(0.25, 0.025, 2.0, null));
        for (int warm = 0; warm < 2; warm++) {
            long[][] times = new long[THREADS][PER_THREAD];
            CountDownLatch done = new CountDownLatch(THREADS);
            long me = ProcessHandle.current().pid();
            long cpu0 = cpuNanos(me);
            long redis0 = redisPid < 0 ? 0 : cpuNanos(redisPid);
            long t0 = System.nanoTime();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                Thread.ofPlatform().start(() -> {
                    try {
                        for (int i = 0; i < PER_THREAD; i++) {
                            long s = System.nanoTime();
                            long estimate = estimator.estimate(mapper.getFactory(), BODY, ModelFamily.GPT_5);
                            Limiter.Ticket ticket = limiter.admit("bench-" + (id % 4), limits, model, estimate,
                                    "r" + id + "-" + i, 960_000, "USD");
                            limiter.charge(ticket, estimate, 0, 40, model.pricing());
                            times[id][i] = System.nanoTime() - s;
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    } finally {
                        done.countDown();
                    }
                });
            }
            done.await();
            long wall = System.nanoTime() - t0;
            Thread.sleep(200); // the last charges reach Redis
            long cpu = cpuNanos(me) - cpu0;
            long redisCpu = redisPid < 0 ? 0 : cpuNanos(redisPid) - redis0;
            if (warm == 1) {
                long[] all = Arrays.stream(times).flatMapToLong(Arrays::stream).sorted().toArray();
                System.out.printf("  %-28s %9.3f %9.3f %9.0f %12.1f %14s%n", name, all[all.length / 2] / 1e6,
                        all[(int) (all.length * 0.99)] / 1e6, all.length / (wall / 1e9), cpu / 1e3 / all.length,
                        redisPid < 0 ? "-" : String.format("%.1f", redisCpu / 1e3 / all.length));
            }
        }
    }

}
