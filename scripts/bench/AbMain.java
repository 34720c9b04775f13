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
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code scripts/bench-ab.sh}: two or more proxy jars (say, an old commit's and this one's) against ONE simulator, the
 * same non-stream load sent to each in turn, short slices alternating round-robin, so that every jar sees the same
 * background load of a shared machine. Prints, per jar, the proxy's CPU seconds per 1,000 requests, requests/s and
 * p50/p99, and the ratio of each to the first jar. Used to bisect a regression between commits.
 *
 * <p>Arguments: {@code label=path/to/proxy.jar} (two or more). Settings: {@code AB_CONCURRENCY} (16),
 * {@code AB_ROUNDS} (10 slices per jar), {@code AB_SLICE_MS} (2000), {@code AB_WARMUP_REQUESTS} (100000 per jar),
 * {@code AB_KEY_LIMITS} (a JSON object set as the bench key's {@code limits}, e.g. {@code {"rpm":100000000}}),
 * {@code PROXY_JAVA_OPTS} as in the bench. The simulator jar is {@code foundry-sim/target/foundry-sim.jar}.
 */
public final class AbMain {
    private static final Pattern SIM_LINE = Pattern.compile("foundry-sim listening port=(\\d+)");

    private record Side(String label, Process process, LoadEngine.Target target) {
    }

    /** A stream of 20 content deltas 20 ms apart (the simulator answers a tool result word by word), as in the bench. */
    private static final String STREAM_BODY = "{\"model\":\"bench-stream-50\",\"stream\":true,\"messages\":["
            + "{\"role\":\"user\",\"content\":\"What is the weather in Paris?\"},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_bench\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"call_bench\",\"content\":"
            + "\"sunny and mild with a light breeze from the west sunny and mild with a light breeze from\"}]}";

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        if (args.length < 1) {
            System.err.println("usage: bench-ab.sh label=proxy.jar [label=proxy.jar ...]");
            System.exit(2);
        }
        Map<String, Path> jars = new LinkedHashMap<>();
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq <= 0 || !Files.isRegularFile(Path.of(a.substring(eq + 1)))) {
                System.err.println("error: expected label=existing-jar, got " + a);
                System.exit(2);
            }
            jars.put(a.substring(0, eq), Path.of(a.substring(eq + 1)).toAbsolutePath());
        }
        int c = Integer.parseInt(env.getOrDefault("AB_CONCURRENCY", "16"));
        int rounds = Integer.parseInt(env.getOrDefault("AB_ROUNDS", "10"));
        long sliceMs = Long.parseLong(env.getOrDefault("AB_SLICE_MS", "2000"));
        long warmup = Long.parseLong(env.getOrDefault("AB_WARMUP_REQUESTS", "100000"));
        String limits = env.get("AB_KEY_LIMITS");
        int streams = Integer.parseInt(env.getOrDefault("AB_STREAMS", "0"));
        String proxyOpts = env.getOrDefault("PROXY_JAVA_OPTS", BenchPlan.DEFAULT_PROXY_JVM_FLAGS);
        ProcStats proc = new ProcStats(Long.parseLong(env.getOrDefault("BENCH_CLK_TCK", "100")));

        String stamp = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        Path runDir = Files.createDirectories(Path.of("target", "bench", "ab-" + stamp)).toAbsolutePath();
        List<Process> children = new ArrayList<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> children.reversed().forEach(Process::destroy)));
        String simKey = hex(16);
        String clientKey = "bench-" + hex(16);

        ProcessBuilder spb = new ProcessBuilder(java(), "-XX:+UseSerialGC", "-Xms128m", "-Xmx512m",
                "-XX:+UseCompactObjectHeaders", "-jar", Path.of("foundry-sim/target/foundry-sim.jar").toAbsolutePath().toString())
                .directory(runDir.toFile()).redirectErrorStream(true).redirectOutput(runDir.resolve("sim.log").toFile());
        spb.environment().putAll(Map.of("SIM_PORT", "0", "SIM_ZERO_LATENCY", "true", "SIM_TTFT_MS", "0",
                "SIM_TOKENS_PER_SECOND", "0", "SIM_API_KEYS", simKey));
        Process sim = spb.start();
        children.add(sim);
        int simPort = simPort(sim, runDir.resolve("sim.log"));
        post("http://127.0.0.1:" + simPort + "/_sim/config", "{\"strictDeployments\":false,"
                + "\"defaultDeployment\":{\"ttftMs\":0,\"tokensPerSecond\":0},"
                + "\"deployments\":{\"bench-model\":{\"ttftMs\":0,\"tokensPerSecond\":0},"
                + "\"bench-stream-50\":{\"ttftMs\":0,\"tokensPerSecond\":50}}}");

        byte[] body = "{\"model\":\"bench-model\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello to the benchmark.\"}],\"stream\":false}"
                .getBytes(StandardCharsets.UTF_8);
        List<Side> sides = new ArrayList<>();
        for (Map.Entry<String, Path> e : jars.entrySet()) {
            Path dir = Files.createDirectories(runDir.resolve(e.getKey()).resolve("config"));
            String key = "{\"id\":\"bench\",\"key\":\"sha256:" + sha256(clientKey) + "\""
                    + (limits == null || limits.isBlank() ? "" : ",\"limits\":" + limits) + "}";
            Files.writeString(dir.resolve("config.json"), "{\"server\":{\"host\":\"127.0.0.1\",\"adminAuth\":"
                    + "{\"username\":\"admin\",\"password\":\"" + hex(16) + "\"}},"
                    + "\"auth\":{\"mode\":\"apiKey\",\"apiKey\":\"" + simKey + "\"},"
                    + "\"apiKeys\":[" + key + "],"
                    + "\"upstreams\":[{\"name\":\"sim\",\"baseUrl\":\"http://127.0.0.1:" + simPort + "\"}],"
                    + "\"models\":[{\"id\":\"bench-model\",\"upstream\":\"sim\",\"targetModel\":\"bench-model\"},"
                    + "{\"id\":\"bench-stream-50\",\"upstream\":\"sim\",\"targetModel\":\"bench-stream-50\"}]}");
            int port = freePort();
            List<String> cmd = new ArrayList<>(List.of(java()));
            cmd.addAll(List.of(proxyOpts.trim().split("\\s+")));
            cmd.addAll(List.of("-jar", e.getValue().toString()));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.getParent().toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.getParent().resolve("proxy.log").toFile());
            pb.environment().put("CONFIG_PATH", dir.resolve("config.json").toString());
            pb.environment().put("PORT", Integer.toString(port));
            Process p = pb.start();
            children.add(p);
            awaitHealthy(p, port);
            byte[] req = request(port, "Authorization: Bearer " + clientKey, body);
            byte[] streamReq = request(port, "Authorization: Bearer " + clientKey + "\r\nAccept: text/event-stream",
                    STREAM_BODY.getBytes(StandardCharsets.UTF_8));
            sides.add(new Side(e.getKey(), p, new LoadEngine.Target(e.getKey(),
                    new InetSocketAddress("127.0.0.1", port), req, streamReq)));
        }
        LoadEngine engine = new LoadEngine();
        for (Side s : sides) {
            long done = 0;
            long end = System.nanoTime() + 90_000_000_000L;
            while (done < warmup && System.nanoTime() < end) {
                done += engine.runNonStream(s.target(), c, 0, 2000).totalCompleted();
            }
            System.out.println("warmed " + s.label() + ": " + done + " requests");
        }
        Map<String, double[]> acc = new LinkedHashMap<>(); // cpu, completed, seconds
        Map<String, LoadEngine.NonStreamSamples> lat = new LinkedHashMap<>();
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < sides.size(); i++) {
                Side s = sides.get((i + r) % sides.size());
                ProcStats.Sample before = proc.sample(s.process().pid());
                long switches = contextSwitches(s.process().pid());
                LoadEngine.NonStreamSamples ns;
                if (streams > 0) {
                    // AB_STREAMS: that many concurrent streams, one round each after a warm round; "completed" then
                    // counts events, so the CPU column reads per 1,000 events
                    LoadEngine.StreamSamples ss = engine.runStreams(s.target(), streams, 1, 1, 400, 60_000, 20);
                    // the latency columns then read the time to the LAST event of each stream (lateness shows there)
                    long[] last = ss.streams().stream().filter(o -> o.length > 0).mapToLong(o -> o[o.length - 1]).toArray();
                    ns = new LoadEngine.NonStreamSamples(s.label(), streams, last, ss.seconds(), ss.totalEvents(),
                            ss.errors(), ss.totalEvents(), ss.firstError());
                } else {
                    ns = engine.runNonStream(s.target(), c, 250, sliceMs);
                }
                ProcStats.Sample after = proc.sample(s.process().pid());
                double cpu = after.cpuSeconds() - before.cpuSeconds();
                double[] a = acc.computeIfAbsent(s.label(), k -> new double[6]);
                a[4] += (after.cpuSeconds() - after.userSeconds()) - (before.cpuSeconds() - before.userSeconds());
                a[5] += contextSwitches(s.process().pid()) - switches;
                a[0] += cpu;
                a[1] += ns.completed();
                a[2] += ns.windowSeconds();
                a[3] += ns.errors();
                lat.merge(s.label(), ns, (x, y) -> y.merge(x));
                System.out.printf(Locale.ROOT, "round %d %-8s cpu/1k %.4f s  rps %.0f%n", r, s.label(),
                        cpu / ns.completed() * 1000, ns.completed() / ns.windowSeconds());
            }
        }
        double base = Double.NaN;
        System.out.printf(Locale.ROOT, "%n%-10s %12s %9s %9s %10s %9s %9s %7s %s%n", "jar", "cpu s/1k", "sys share",
                "cs/req", "req/s", "p50 ms", "p99 ms", "errors", "cpu ratio to first");
        for (Side s : sides) {
            double[] a = acc.get(s.label());
            LoadEngine.NonStreamResult sum = lat.get(s.label()).summary();
            double per1k = a[0] / a[1] * 1000;
            if (Double.isNaN(base)) {
                base = per1k;
            }
            System.out.printf(Locale.ROOT, "%-10s %12.4f %9.2f %9.1f %10.0f %9.3f %9.3f %7.0f %.2f%n", s.label(), per1k,
                    a[4] / a[0], a[5] / a[1], a[1] / a[2], sum.p50Ms(), sum.p99Ms(), a[3], per1k / base);
        }
        children.reversed().forEach(Process::destroy);
        System.exit(0);
    }

    /** Voluntary and involuntary context switches of all the process's threads (wake-ups, roughly). */
    private static long contextSwitches(long pid) {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    for (String line : Files.readAllLines(t.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            total += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return total;
    }

    private static byte[] request(int port, String auth, byte[] body) {
        byte[] h = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/json\r\n" + auth + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    private static void post(String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static int simPort(Process sim, Path log) throws IOException, InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if (Files.exists(log)) {
                Matcher m = SIM_LINE.matcher(Files.readString(log));
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            if (!sim.isAlive()) {
                throw new IllegalStateException("foundry-sim exited");
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("foundry-sim did not start");
    }

    private static void awaitHealthy(Process p, int port) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 600; i++) {
            if (!p.isAlive()) {
                throw new IllegalStateException("a proxy exited with " + p.exitValue());
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("a proxy was not healthy within 60 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String hex(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }
}
