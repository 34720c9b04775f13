import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code make bench}: starts foundry-sim and the proxy from the built jars, drives load from this separate process
 * ({@link LoadEngine}), measures direct-to-simulator and through-proxy side by side, prints one table
 * ({@link BenchReport}) and writes the numbers as JSON to {@code target/bench/bench-<timestamp>.json}.
 *
 * <p>Run from the repository root by {@code scripts/bench.sh} (which puts Jackson from the built jars' {@code libs/}
 * on the class path). Settings come from environment variables, documented in {@code scripts/bench/README.md}.
 */
public final class BenchMain {
    private static final System.Logger LOG = System.getLogger("aoaigw.bench");
    private static final Pattern SIM_LINE = Pattern.compile("foundry-sim listening port=(\\d+)");

    private final Map<String, String> env;
    private final Path root;
    private final Path outDir;
    private final String stamp;
    private final ProcStats proc;
    private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private final BenchPlan plan;
    private final List<Process> children = new ArrayList<>();
    /** {@code --compare}: the command of another gateway standing in for the proxy (null: the proxy's jar). */
    private final String gatewayCmd;

    private BenchMain(Map<String, String> env, Path root) {
        this.env = env;
        this.root = root;
        this.outDir = root.resolve("target").resolve("bench");
        this.stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        this.proc = new ProcStats(Long.parseLong(env.getOrDefault("BENCH_CLK_TCK", "100")));
        this.plan = BenchPlan.from(env);
        String g = env.get("BENCH_GATEWAY_CMD");
        this.gatewayCmd = g == null || g.isBlank() ? null : g.trim();
    }

    public static void main(String[] args) throws Exception {
        BenchMain bench = new BenchMain(System.getenv(), Path.of("").toAbsolutePath());
        Runtime.getRuntime().addShutdownHook(new Thread(bench::stopChildren, "bench-cleanup"));
        int rc;
        try {
            rc = bench.run();
        } finally {
            bench.stopChildren();
        }
        System.exit(rc);
    }

    private int run() throws Exception {
        Files.createDirectories(outDir);
        Path runDir = Files.createDirectories(outDir.resolve("run-" + stamp));
        Path simJar = root.resolve("foundry-sim/target/foundry-sim.jar");
        Path proxyJar = root.resolve("proxy/target/proxy.jar");
        if (!Files.isRegularFile(simJar)) {
            System.err.println("error: " + root.relativize(simJar) + " is missing; run `make build` first");
            return 2;
        }
        boolean withProxy = (gatewayCmd != null || Files.isRegularFile(proxyJar))
                && !"1".equals(env.get("BENCH_DIRECT_ONLY"));
        if (gatewayCmd != null) {
            System.out.println("  .. the 'proxy' column of this run is " + env.getOrDefault("BENCH_GATEWAY_NAME", "another gateway")
                    + ": " + gatewayCmd);
        }
        if (!withProxy) {
            System.err.println("note: " + (Files.isRegularFile(proxyJar) ? "BENCH_DIRECT_ONLY=1" : root.relativize(proxyJar)
                    + " is missing") + "; measuring direct-to-simulator only");
        }
        String simKey = randomHex(16);
        String clientKey = "bench-" + randomHex(16);
        String limitedKey = "bench-limited-" + randomHex(16);

        long t0 = System.nanoTime();
        Process sim = startSim(simJar, simKey, runDir);
        int simPort = awaitSimPort(sim, runDir.resolve("sim.log"));
        LOG.log(System.Logger.Level.INFO, "foundry-sim pid " + sim.pid() + " port " + simPort);
        configureSimPace(simPort);

        Process proxy = null;
        int proxyPort = -1;
        if (withProxy) {
            Path config = writeProxyConfig(runDir, simPort, simKey, clientKey, gatewayCmd == null ? limitedKey : null,
                    null);
            proxyPort = freePort();
            proxy = startProxy(proxyJar, config, proxyPort, runDir);
            awaitHealthy(proxy, proxyPort, runDir.resolve("proxy.log"));
            LOG.log(System.Logger.Level.INFO, (gatewayCmd == null ? "proxy" : "gateway") + " pid " + proxy.pid()
                    + " port " + proxyPort);
        }
        double startupSeconds = (System.nanoTime() - t0) / 1e9;

        LoadEngine engine = new LoadEngine();
        LoadEngine.Target direct = target("direct", simPort, "/openai/v1/chat/completions", "api-key: " + simKey);
        LoadEngine.Target viaProxy = withProxy
                ? target("proxy", proxyPort, "/v1/chat/completions", "Authorization: Bearer " + clientKey) : null;

        BenchReport report = new BenchReport(plan, stamp, proxyJvmFlags(), withProxy);
        ProcStats.Sample idle = null;
        if (proxy != null) {
            Thread.sleep(plan.settleMs());
            idle = proc.sample(proxy.pid());
            report.idle(idle);
        }

        // Warm-up: JIT of both servers and of this client; nothing recorded.
        progress("warm-up");
        engine.runNonStream(direct, 16, 0, Math.min(3000, plan.warmupMs()));
        if (viaProxy != null) {
            // The proxy's JIT needs tens of thousands of requests before its code is compiled (a 6-second warm-up
            // at ~1,000 requests/s on a loaded machine left the C2 compiler busy during the measured phases and
            // tripled CPU per request). Warm up by request count, bounded in time.
            long warmEnd = System.nanoTime() + plan.warmupMs() * 1_000_000L;
            long warmed = 0;
            for (int i = 0; i < 1000 && warmed < plan.warmupRequests() && System.nanoTime() < warmEnd; i++) {
                warmed += engine.runNonStream(viaProxy, 16, 0, 2000).totalCompleted();
            }
            // the measured phases then start with one connection and end with 64: C2 recompiles for such changes
            // (profiles, deoptimizations), so the warm-up ends with a short run of each concurrency too
            for (int c : plan.concurrencies()) {
                warmed += engine.runNonStream(viaProxy, c, 0, plan.quick() ? 200 : 2000).totalCompleted();
            }
            progress("warm-up: " + warmed + " requests through the proxy");
            if (!plan.streamPhases().isEmpty()) {
                BenchPlan.StreamPhase warmPace = plan.streamPhases().getFirst();
                engine.runStreams(withStreamHeaders(viaProxy, warmPace), 200, 0, 1, 200, plan.streamTimeoutMs(),
                        plan.streamTokens());
            }
        }

        java.util.Map<String, Double> threadsBefore = proxy == null ? null : proc.threadGroups(proxy.pid());
        ProcStats.Sample proxyBefore = proxy == null ? null : proc.sample(proxy.pid());
        // Direct and proxy alternate in short slices (D P, then P D, ...) so that both see the same background load
        // of a shared machine; each side's slices are merged before percentiles are taken.
        for (int c : plan.concurrencies()) {
            progress("non-stream c=" + c + " (" + plan.slices() + " slices each, direct and proxy alternating)");
            LoadEngine.NonStreamSamples d = null;
            LoadEngine.NonStreamSamples p = null;
            double simCpu = 0;
            double proxyCpu = 0;
            for (int i = 0; i < plan.slices(); i++) {
                boolean proxyFirst = i % 2 == 1;
                for (int k = 0; k < 2; k++) {
                    boolean viaProxyNow = (k == 0) == proxyFirst;
                    if (viaProxyNow && viaProxy == null) {
                        continue;
                    }
                    long pid = viaProxyNow ? proxy.pid() : sim.pid();
                    ProcStats.Sample before = proc.sample(pid);
                    LoadEngine.NonStreamSamples r = engine.runNonStream(viaProxyNow ? viaProxy : direct, c,
                            plan.phaseWarmupMs(), plan.measureMs() / plan.slices());
                    double cpu = proc.sample(pid).cpuSeconds() - before.cpuSeconds();
                    if (viaProxyNow) {
                        p = r.merge(p);
                        proxyCpu += cpu;
                    } else {
                        d = r.merge(d);
                        simCpu += cpu;
                    }
                }
            }
            report.nonStream(c, d.summary(), p == null ? null : p.summary(), simCpu, p == null ? Double.NaN : proxyCpu);
        }

        String poolLine = null;
        if (viaProxy != null && gatewayCmd == null && !"0".equals(env.get("BENCH_POOL"))) {
            // the pool path: the same request to a model of two equal deployments (selection, health bookkeeping)
            // against the one-deployment model, alternating slices, at one connection (latency, not throughput)
            LoadEngine.Target pooled = poolTarget(viaProxy);
            engine.runNonStream(pooled, 1, 0, plan.quick() ? 200 : 2000);
            progress("pool path c=1 (" + plan.slices() + " slices each, one deployment and a two-deployment pool)");
            LoadEngine.NonStreamSamples one = null;
            LoadEngine.NonStreamSamples two = null;
            for (int i = 0; i < plan.slices(); i++) {
                for (int k = 0; k < 2; k++) {
                    boolean poolNow = (k == 0) == (i % 2 == 1);
                    LoadEngine.NonStreamSamples r = engine.runNonStream(poolNow ? pooled : viaProxy, 1,
                            plan.phaseWarmupMs(), plan.measureMs() / plan.slices());
                    if (poolNow) {
                        two = r.merge(two);
                    } else {
                        one = r.merge(one);
                    }
                }
            }
            LoadEngine.NonStreamResult a = one.summary();
            LoadEngine.NonStreamResult b = two.summary();
            poolLine = String.format(java.util.Locale.ROOT,
                    "pool path (c=1, p50): one deployment %.3f ms, two-deployment pool %.3f ms, difference %+.3f ms"
                            + " (errors %d / %d)", a.p50Ms(), b.p50Ms(), b.p50Ms() - a.p50Ms(), a.errors(), b.errors());
        }

        if (proxy != null) {
            java.util.Map<String, Double> cpu = new java.util.TreeMap<>(
                    ProcStats.delta(threadsBefore, proc.threadGroups(proxy.pid())));
            ProcStats.Sample after = proc.sample(proxy.pid());
            cpu.put("(process user)", Math.round((after.userSeconds() - proxyBefore.userSeconds()) * 100) / 100.0);
            cpu.put("(process system)", Math.round((after.cpuSeconds() - after.userSeconds()
                    - proxyBefore.cpuSeconds() + proxyBefore.userSeconds()) * 100) / 100.0);
            report.proxyThreadCpu(cpu);
        }

        String limitsLine = null;
        if (viaProxy != null && gatewayCmd == null && !"0".equals(env.get("BENCH_LIMITS"))) {
            limitsLine = limitsPhase(engine, report, viaProxy, proxy, runDir, simPort, simKey, limitedKey);
        }

        for (BenchPlan.StreamPhase phase : plan.streamPhases()) {
            progress("streams x" + phase.concurrency() + " (" + phase.slices() + " slices each, alternating)");
            LoadEngine.StreamSamples d = null;
            LoadEngine.StreamSamples p = null;
            double rssMax = Double.NaN;
            double simCpu = 0;
            double proxyCpu = 0;
            for (int i = 0; i < phase.slices(); i++) {
                boolean proxyFirst = i % 2 == 1;
                for (int k = 0; k < 2; k++) {
                    boolean viaProxyNow = (k == 0) == proxyFirst;
                    if (viaProxyNow && viaProxy == null) {
                        continue;
                    }
                    LoadEngine.Target t = withStreamHeaders(viaProxyNow ? viaProxy : direct, phase);
                    long pid = viaProxyNow ? proxy.pid() : sim.pid();
                    ProcStats.Sample before = proc.sample(pid);
                    if (viaProxyNow) {
                        try (RssSampler sampler = new RssSampler(proc, proxy.pid())) {
                            p = engine.runStreams(t, phase.concurrency(), phase.warmRounds(), phase.rounds(),
                                    phase.staggerMs(), plan.streamTimeoutMs(), plan.streamTokens()).merge(p);
                            rssMax = Double.isNaN(rssMax) ? sampler.maxRssMb() : Math.max(rssMax, sampler.maxRssMb());
                        }
                        proxyCpu += proc.sample(pid).cpuSeconds() - before.cpuSeconds();
                    } else {
                        d = engine.runStreams(t, phase.concurrency(), phase.warmRounds(), phase.rounds(),
                                phase.staggerMs(), plan.streamTimeoutMs(), plan.streamTokens()).merge(d);
                        simCpu += proc.sample(pid).cpuSeconds() - before.cpuSeconds();
                    }
                }
            }
            report.streams(phase, d.summary(), p == null ? null : p.summary(), rssMax, simCpu,
                    p == null ? Double.NaN : proxyCpu);
        }

        if (proxy != null) {
            Thread.sleep(plan.settleMs());
            report.afterLoad(proc.sample(proxy.pid()));
        }
        report.timing(startupSeconds, (System.nanoTime() - t0) / 1e9);

        System.out.println();
        System.out.print(report.table());
        if (poolLine != null) {
            System.out.println(poolLine);
        }
        System.out.print(report.limitsTable());
        if (limitsLine != null) {
            System.out.println(limitsLine);
        }
        Path json = env.containsKey("BENCH_JSON_OUT") ? root.resolve(env.get("BENCH_JSON_OUT"))
                : outDir.resolve("bench-" + stamp + ".json");
        ObjectNode doc = report.json(mapper);
        doc.put("gateway", gatewayCmd == null ? "proxy" : env.getOrDefault("BENCH_GATEWAY_NAME", "other"));
        mapper.writeValue(json.toFile(), doc);
        if (env.containsKey("BENCH_COMPARE_WITH")) {
            System.out.println();
            System.out.print(Comparison.table(mapper.readTree(root.resolve(env.get("BENCH_COMPARE_WITH")).toFile()),
                    doc, env.getOrDefault("BENCH_GATEWAY_NAME", "other")));
        }
        System.out.println("JSON: " + root.relativize(json));
        if (!"1".equals(env.get("BENCH_KEEP_LOGS")) && report.errors() == 0) {
            deleteTree(runDir);
        } else {
            System.out.println("logs and config: " + root.relativize(runDir));
        }
        return report.errors() == 0 ? 0 : 1;
    }

    /**
     * A key with limits on every window against the key without limits, on the same proxy, alternating slices at 16
     * connections (and, in local state, at 1), twice as many slices as the other phases: first on the proxy under test (local state), then on a second proxy in Redis mode against a
     * redis-server started on a free loopback port (skipped, with a note, when redis-server is not installed).
     *
     * @return a note to print, or null
     */
    private String limitsPhase(LoadEngine engine, BenchReport report, LoadEngine.Target unlimitedLocal, Process proxy,
                               Path runDir, int simPort, String simKey, String limitedKey) throws Exception {
        int c = 16;
        LoadEngine.Target limitedLocal = withKey(unlimitedLocal, limitedKey, "limited");
        // the same warm-up as the Redis proxy's below: until now this proxy's JIT saw only keys without limits
        progress("limited key, local state: warm-up");
        warmBoth(engine, unlimitedLocal, limitedLocal, c);
        progress("limited key, local state, c=" + c + " (" + plan.slices() + " slices each)");
        report.limits(compareKeys(engine, "local", c, unlimitedLocal, limitedLocal, proxy.pid(), -1));
        // one connection: what the limits add to a request when it does not wait for a core behind 15 others
        progress("limited key, local state, c=1 (" + plan.slices() + " slices each)");
        report.limits(compareKeys(engine, "local", 1, unlimitedLocal, limitedLocal, proxy.pid(), -1));

        Path redisDir = Files.createDirectories(runDir.resolve("redis"));
        int redisPort = freePort();
        Process redis;
        try {
            redis = track(new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", redisDir.toString(), "--daemonize", "no",
                    "--loglevel", "warning").redirectErrorStream(true)
                    .redirectOutput(redisDir.resolve("redis.log").toFile()).start());
        } catch (IOException e) {
            return "limited key, redis state: skipped, redis-server is not installed (scripts/install-tools.sh installs it)";
        }
        // a second proxy whose limits live in Redis; its own unlimited key is the baseline (same process, same JIT)
        String clientKey = "bench-" + randomHex(16);
        Path dir = Files.createDirectories(runDir.resolve("redis-proxy"));
        Path config = writeProxyConfig(dir, simPort, simKey, clientKey, limitedKey, "redis://127.0.0.1:" + redisPort);
        int port = freePort();
        Process second = startProxy(root.resolve("proxy/target/proxy.jar"), config, port, dir);
        awaitHealthy(second, port, dir.resolve("proxy.log"));
        LoadEngine.Target unlimitedRedis = target("proxy", port, "/v1/chat/completions", "Authorization: Bearer " + clientKey);
        LoadEngine.Target limitedRedis = withKey(unlimitedRedis, limitedKey, "limited");
        progress("limited key, redis state: warm-up of a second proxy");
        warmBoth(engine, unlimitedRedis, limitedRedis, c);
        progress("limited key, redis state, c=" + c + " (" + plan.slices() + " slices each)");
        report.limits(compareKeys(engine, "redis", c, unlimitedRedis, limitedRedis, second.pid(), redis.pid()));
        second.destroy();
        redis.destroy();
        return null;
    }

    /** Both keys in turn, 1 s each, up to 60,000 requests or 30 s (fewer in a quick run): the JIT sees both paths. */
    private void warmBoth(LoadEngine engine, LoadEngine.Target unlimited, LoadEngine.Target limited, int c)
            throws IOException {
        long warmEnd = System.nanoTime() + Math.min(plan.warmupMs(), 30_000) * 1_000_000L;
        long warmed = 0;
        for (int i = 0; warmed < Math.min(plan.warmupRequests(), 60_000) && System.nanoTime() < warmEnd; i++) {
            warmed += engine.runNonStream(i % 2 == 0 ? unlimited : limited, c, 0, 1000).totalCompleted();
        }
    }

    private BenchReport.LimitsRow compareKeys(LoadEngine engine, String mode, int c, LoadEngine.Target unlimited,
                                              LoadEngine.Target limited, long proxyPid, long redisPid)
            throws IOException {
        LoadEngine.NonStreamSamples u = null;
        LoadEngine.NonStreamSamples l = null;
        double cpuU = 0;
        double cpuL = 0;
        double redisCpu = 0;
        // twice the slices of the other phases, each as long: the difference measured is a few per cent of the p50,
        // and more alternations average the host's drift out better
        int slices = plan.quick() ? plan.slices() : 2 * plan.slices();
        double[] pairDiff = new double[slices];
        for (int i = 0; i < slices; i++) {
            for (int k = 0; k < 2; k++) {
                boolean limitedNow = (k == 0) == (i % 2 == 1);
                ProcStats.Sample before = proc.sample(proxyPid);
                ProcStats.Sample redisBefore = redisPid > 0 ? proc.sample(redisPid) : null;
                LoadEngine.NonStreamSamples r = engine.runNonStream(limitedNow ? limited : unlimited, c,
                        plan.phaseWarmupMs(), plan.measureMs() / plan.slices());
                double cpu = proc.sample(proxyPid).cpuSeconds() - before.cpuSeconds();
                double p50 = r.summary().p50Ms();
                pairDiff[i] += limitedNow ? p50 : -p50;
                if (limitedNow) {
                    l = r.merge(l);
                    cpuL += cpu;
                    if (redisBefore != null) {
                        redisCpu += proc.sample(redisPid).cpuSeconds() - redisBefore.cpuSeconds();
                    }
                } else {
                    u = r.merge(u);
                    cpuU += cpu;
                }
            }
        }
        LoadEngine.NonStreamResult a = u.summary();
        LoadEngine.NonStreamResult b = l.summary();
        return new BenchReport.LimitsRow(mode, c, a, b, b.p50Ms() - a.p50Ms(), b.p99Ms() - a.p99Ms(),
                cpuU / Math.max(1, a.totalCompleted()) * 1000, cpuL / Math.max(1, b.totalCompleted()) * 1000,
                redisPid > 0 ? redisCpu / Math.max(1, b.totalCompleted()) * 1000 : Double.NaN,
                standardError(pairDiff));
    }

    /** @return the standard error of the mean of the values (NaN for fewer than two) */
    static double standardError(double[] v) {
        if (v.length < 2) {
            return Double.NaN;
        }
        double mean = java.util.Arrays.stream(v).average().orElse(0);
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        return Math.sqrt(ss / (v.length - 1) / v.length);
    }

    /** The same request with another client key. */
    private static LoadEngine.Target withKey(LoadEngine.Target t, String key, String name) {
        String head = new String(t.nonStreamRequest(), StandardCharsets.ISO_8859_1);
        String swapped = head.replaceFirst("Authorization: Bearer [^\\r]*", "Authorization: Bearer " + key);
        byte[] req = swapped.getBytes(StandardCharsets.ISO_8859_1);
        return new LoadEngine.Target(name, t.address(), req, req);
    }

    private static void progress(String what) {
        System.out.println("  .. " + what);
    }

    private LoadEngine.Target target(String name, int port, String path, String authHeader) throws IOException {
        byte[] nonStream = request(port, path, authHeader, chatBody(false), List.of());
        return new LoadEngine.Target(name, new InetSocketAddress("127.0.0.1", port), nonStream, nonStream);
    }

    /**
     * The stream request of a phase. The proxy forwards no {@code x-sim-*} header (its header allowlist), so the pace
     * comes from the deployment ({@link #configureSimPace}) and the length from the conversation: after a tool result
     * the simulator answers "The tool returned: " + the tool output, one content delta per word.
     */
    private LoadEngine.Target withStreamHeaders(LoadEngine.Target t, BenchPlan.StreamPhase phase) throws IOException {
        String path = t.name().equals("direct") ? "/openai/v1/chat/completions" : "/v1/chat/completions";
        String head = new String(t.nonStreamRequest(), StandardCharsets.ISO_8859_1);
        String authHeader = head.lines().filter(l -> l.startsWith("api-key:") || l.startsWith("Authorization:"))
                .findFirst().orElseThrow();
        byte[] stream = request(t.address().getPort(), path, authHeader, streamBody(streamDeployment(phase)),
                List.of("Accept: text/event-stream"));
        return new LoadEngine.Target(t.name(), t.address(), t.nonStreamRequest(), stream);
    }

    private static String streamDeployment(BenchPlan.StreamPhase phase) {
        return "bench-stream-" + phase.tokensPerSecond();
    }

    /** The proxy target with the body's model set to the two-deployment pool. */
    private LoadEngine.Target poolTarget(LoadEngine.Target proxyTarget) throws IOException {
        String head = new String(proxyTarget.nonStreamRequest(), StandardCharsets.ISO_8859_1);
        String auth = head.lines().filter(l -> l.startsWith("Authorization:")).findFirst().orElseThrow();
        byte[] req = request(proxyTarget.address().getPort(), "/v1/chat/completions", auth,
                chatBody(false, "bench-pool"), List.of());
        return new LoadEngine.Target("pool", proxyTarget.address(), req, req);
    }

    private byte[] chatBody(boolean stream) throws IOException {
        return chatBody(stream, "bench-model");
    }

    private byte[] chatBody(boolean stream, String model) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", "Say hello to the benchmark.");
        body.put("stream", stream);
        return mapper.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(body);
    }

    private byte[] streamBody(String model) throws IOException {
        String[] words = {"sunny", "and", "mild", "with", "a", "light", "breeze", "from", "the", "west"};
        StringBuilder toolOutput = new StringBuilder();
        for (int i = 0; i < plan.streamTokens() - 3; i++) { // "The tool returned:" are the first 3 deltas
            toolOutput.append(i == 0 ? "" : " ").append(words[i % words.length]);
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("model", model);
        body.put("stream", true);
        ArrayNode messages = body.putArray("messages");
        messages.addObject().put("role", "user").put("content", "What is the weather in Paris?");
        ObjectNode call = messages.addObject().put("role", "assistant").putNull("content")
                .putArray("tool_calls").addObject().put("id", "call_bench").put("type", "function");
        call.putObject("function").put("name", "get_weather").put("arguments", "{\"location\":\"Paris\"}");
        messages.addObject().put("role", "tool").put("tool_call_id", "call_bench").put("content", toolOutput.toString());
        return mapper.copy().disable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(body);
    }

    /** Gives each stream pace its own simulator deployment (no time to first token, fixed event spacing). */
    private void configureSimPace(int simPort) throws IOException, InterruptedException {
        ObjectNode body = mapper.createObjectNode();
        body.put("strictDeployments", false);
        // bench-model is set to no latency explicitly rather than trusting SIM_ZERO_LATENCY: the simulator's Main
        // sets an explicit default deployment (5 ms TTFT, 1 ms per delta) that benchmark mode then keeps.
        body.putObject("defaultDeployment").put("ttftMs", 0).put("tokensPerSecond", 0);
        ObjectNode deployments = body.putObject("deployments");
        deployments.putObject("bench-model").put("ttftMs", 0).put("tokensPerSecond", 0);
        for (BenchPlan.StreamPhase phase : plan.streamPhases()) {
            deployments.putObject(streamDeployment(phase)).put("ttftMs", 0).put("tokensPerSecond", phase.tokensPerSecond());
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + simPort + "/_sim/config"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("foundry-sim refused POST /_sim/config: " + r.statusCode() + " " + r.body());
        }
    }

    private static byte[] request(int port, String path, String authHeader, byte[] body, List<String> extra) {
        StringBuilder head = new StringBuilder()
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append(authHeader).append("\r\n");
        for (String h : extra) {
            head.append(h).append("\r\n");
        }
        head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    private Process startSim(Path jar, String simKey, Path runDir) throws IOException {
        List<String> cmd = new ArrayList<>(pin(env.get("BENCH_PIN_SIM")));
        cmd.add(javaBin());
        cmd.addAll(split(env.getOrDefault("SIM_JAVA_OPTS", BenchPlan.DEFAULT_SIM_JVM_FLAGS)));
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(runDir.toFile()).redirectErrorStream(true)
                .redirectOutput(runDir.resolve("sim.log").toFile());
        pb.environment().put("SIM_PORT", "0");
        pb.environment().put("SIM_ZERO_LATENCY", "true");
        pb.environment().put("SIM_TTFT_MS", "0");
        pb.environment().put("SIM_TOKENS_PER_SECOND", "0");
        pb.environment().put("SIM_API_KEYS", simKey);
        return track(pb.start());
    }

    private Process startProxy(Path jar, Path config, int port, Path runDir) throws IOException {
        if (gatewayCmd != null) {
            // another gateway (--compare): its command with {config} and {port} filled in; CONFIG_PATH and PORT set
            // too. Started directly (not through npm or a shell), so the measured pid is the gateway's own.
            List<String> cmd = new ArrayList<>(pin(env.get("BENCH_PIN_PROXY")));
            for (String part : split(gatewayCmd)) {
                cmd.add(part.replace("{config}", config.toString()).replace("{port}", Integer.toString(port)));
            }
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(config.getParent().toFile()).redirectErrorStream(true)
                    .redirectOutput(runDir.resolve("proxy.log").toFile());
            pb.environment().put("CONFIG_PATH", config.toString());
            pb.environment().put("PORT", Integer.toString(port));
            return track(pb.start());
        }
        List<String> cmd = new ArrayList<>(pin(env.get("BENCH_PIN_PROXY")));
        cmd.add(javaBin());
        cmd.addAll(split(proxyJvmFlags()));
        if ("1".equals(env.get("BENCH_JFR"))) {
            cmd.add("-XX:FlightRecorderOptions=stackdepth=256");
            // one recording per proxy (the limits phase starts a second one, in its own directory)
            String name = runDir.getFileName().toString().startsWith("run-") ? "" : "-" + runDir.getFileName();
            cmd.add("-XX:StartFlightRecording=filename=" + outDir.resolve("proxy-" + stamp + name + ".jfr")
                    + ",settings=profile");
        }
        cmd.add("-jar");
        cmd.add(jar.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(runDir.toFile()).redirectErrorStream(true)
                .redirectOutput(runDir.resolve("proxy.log").toFile());
        pb.environment().put("CONFIG_PATH", config.toString());
        pb.environment().put("PORT", Integer.toString(port));
        return track(pb.start());
    }

    private String proxyJvmFlags() {
        return env.getOrDefault("PROXY_JAVA_OPTS", BenchPlan.DEFAULT_PROXY_JVM_FLAGS);
    }

    private Process track(Process p) {
        synchronized (children) {
            children.add(p);
        }
        return p;
    }

    private void stopChildren() {
        List<Process> list;
        synchronized (children) {
            list = new ArrayList<>(children);
            children.clear();
        }
        for (Process p : list.reversed()) {
            p.destroy();
        }
        for (Process p : list) {
            try {
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> pin(String cpus) {
        return cpus == null || cpus.isBlank() ? List.of() : List.of("taskset", "-c", cpus.trim());
    }

    private static List<String> split(String flags) {
        return flags == null || flags.isBlank() ? List.of() : List.of(flags.trim().split("\\s+"));
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int awaitSimPort(Process sim, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = SIM_LINE.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!sim.isAlive()) {
                throw new IllegalStateException("foundry-sim exited with " + sim.exitValue() + ":\n" + tail(log));
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("foundry-sim did not print its port within 60 s:\n" + tail(log));
    }

    private void awaitHealthy(Process proxy, int port, Path log) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!proxy.isAlive()) {
                throw new IllegalStateException("the proxy exited with " + proxy.exitValue() + ":\n" + tail(log));
            }
            try {
                HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                // another gateway may have no /healthz: any HTTP answer says it is listening
                if (r.statusCode() == 200 || gatewayCmd != null && r.statusCode() < 500) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the proxy was not healthy within 60 s (last: " + last + "):\n" + tail(log));
    }

    /** The proxy's config document (the shared config records' JSON). Secrets stay in the run folder, mode 600. */
    private Path writeProxyConfig(Path runDir, int simPort, String simKey, String clientKey) throws IOException {
        return writeProxyConfig(runDir, simPort, simKey, clientKey, null, null);
    }

    /**
     * @param limitedKey a second client key ({@code bench-limited}) with limits on every window, or null
     * @param redisUrl   {@code server.sharedState} in Redis mode at this URL, or null (local)
     */
    private Path writeProxyConfig(Path runDir, int simPort, String simKey, String clientKey, String limitedKey,
                                  String redisUrl) throws IOException {
        ObjectNode doc = mapper.createObjectNode();
        ObjectNode server = doc.putObject("server");
        server.put("host", "127.0.0.1");
        if (redisUrl != null) {
            server.putObject("sharedState").put("mode", "redis").put("redisUrl", redisUrl).put("keyPrefix", "bench:");
        }
        server.putObject("adminAuth").put("username", "admin").put("password", randomHex(16));
        String pool = env.get("BENCH_UPSTREAM_POOL");
        if (pool != null && !pool.isBlank()) { // experiment knob; by default the proxy's own default (64)
            server.putObject("upstream").putObject("pool").put("connections", Integer.parseInt(pool.trim()));
        }
        doc.putObject("auth").put("mode", "apiKey").put("apiKey", simKey);
        // Stored hashed, as `make run` and production configs do: the proxy's per-request key check is then the same.
        ArrayNode keys = doc.putArray("apiKeys");
        // the original stores keys in plain text (hashed keys are this gateway's addition)
        keys.addObject().put("id", "bench").put("key", gatewayCmd != null ? clientKey : "sha256:" + sha256Hex(clientKey));
        if (limitedKey != null) {
            // every kind of check, each far above what the bench sends: admission (estimate, windows, quotas, a
            // concurrency slot) and the charge run on every request, nothing is refused
            keys.addObject().put("id", "bench-limited").put("key", "sha256:" + sha256Hex(limitedKey))
                    .putObject("limits").put("rpm", 1_000_000_000).put("tpm", 1_000_000_000)
                    .put("maxConcurrent", 10_000).put("tokensPerDay", 1_000_000_000_000L)
                    .put("tokensPerMonth", 1_000_000_000_000L);
        }
        doc.putArray("upstreams").addObject().put("name", "sim").put("baseUrl", "http://127.0.0.1:" + simPort);
        ArrayNode models = doc.putArray("models");
        models.addObject().put("id", "bench-model").put("upstream", "sim").put("targetModel", "bench-model");
        if (gatewayCmd == null) {
            // two equal deployments on the same simulator: the pool path's own cost, nothing else
            ArrayNode deps = models.addObject().put("id", "bench-pool").putArray("deployments");
            deps.addObject().put("upstream", "sim").put("deployment", "bench-model");
            deps.addObject().put("upstream", "sim").put("deployment", "bench-model-b");
        }
        for (BenchPlan.StreamPhase phase : plan.streamPhases()) {
            String name = streamDeployment(phase);
            if (models.findValuesAsText("id").stream().noneMatch(name::equals)) {
                models.addObject().put("id", name).put("upstream", "sim").put("targetModel", name);
            }
        }
        // The config file gets a directory of its own, as in production (./config/config.json): the config store
        // watches the file's directory, and a log file written next to it wakes the watcher on every request.
        Path config = Files.createDirectories(runDir.resolve("config")).resolve("config.json");
        Files.deleteIfExists(config);
        Files.createFile(config, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        mapper.writeValue(config.toFile(), doc);
        return config;
    }

    private static int freePort() throws IOException {
        // The OS picks a free ephemeral port; the proxy binds it a moment later (its PORT variable takes a number).
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String sha256Hex(String s) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Samples the proxy's VmRSS every 50 ms while a stream phase runs, to find the largest value. */
    private static final class RssSampler implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;
        private volatile double max = Double.NaN;

        RssSampler(ProcStats proc, long pid) {
            thread = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
                for (int i = 0; i < 20 * 600 && running.get(); i++) { // bounded: at most 10 minutes
                    double rss = proc.sample(pid).rssMb();
                    if (Double.isNaN(max) || rss > max) {
                        max = rss;
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }

        double maxRssMb() {
            return max;
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
