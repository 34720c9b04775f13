import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * `make soak`: a bounded run of mixed traffic through the proxy jar against the foundry-sim jar (both child
 * processes of this program), with 5% injected upstream faults and a config save through the admin API (hence
 * through the config store) every 30 s. Prints a sample line every 10 s (heap, RSS, threads, sockets of the proxy)
 * and a final report: requests, errors by kind, heap and RSS over time, threads and sockets back at the idle level,
 * and the proxy's own totals (admin stats and /metrics) against the requests sent. Exit 0 when every check holds.
 *
 * <p>Settings (environment): SOAK_SECONDS (default 180, at most 600), SOAK_CONCURRENCY (default 12),
 * SOAK_FAULT_PERCENT (default 5), SOAK_RELOAD_SECONDS (default 30), SOAK_OUT (the run directory).
 */
public final class Soak {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN_PASSWORD = "Soak-Admin-Pw-" + Long.toHexString(System.nanoTime());
    /** server.upstream.pool.connections of the soak's config. */
    static final int POOL = 32;
    static final String[] KEYS = {"soak-key-a", "soak-key-b", "soak-key-c"};
    static final String[] MODELS = {"gpt-4o-mini", "gpt-4.1", "o4-mini"};
    static final String[] FAULTS = {"500", "503", "429", "reset-mid-stream", "stall-mid-stream", "slow-headers",
        "disconnect-before-headers", "content-filter"};

    /** The load's client, closed at the end so that its keep-alive connections to the proxy go away. */
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    /** Admin calls and /metrics. */
    final HttpClient control = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();
    int simPort;
    final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    final LongAdder sent = new LongAdder();
    final LongAdder faultsInjected = new LongAdder();
    final AtomicLong reloads = new AtomicLong();
    final AtomicLong reloadFailures = new AtomicLong();
    final List<String> samples = new ArrayList<>();
    Process sim;
    Process proxy;
    int proxyPort;
    Path out;

    public static void main(String[] args) throws Exception {
        Soak s = new Soak();
        int rc;
        try {
            rc = s.run();
        } finally {
            s.stopChildren();
        }
        System.exit(rc);
    }

    static int env(String name, int dflt) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? dflt : Integer.parseInt(v.trim());
    }

    int run() throws Exception {
        int seconds = Math.min(600, env("SOAK_SECONDS", 180));
        int concurrency = env("SOAK_CONCURRENCY", 12);
        int faultPercent = env("SOAK_FAULT_PERCENT", 5);
        int reloadEvery = env("SOAK_RELOAD_SECONDS", 30);
        out = Path.of(System.getenv().getOrDefault("SOAK_OUT", "target/soak"));
        Files.createDirectories(out);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        // the simulator: 5 ms to the first token, 400 content deltas per second (a stream lasts tens of ms)
        ProcessBuilder spb = new ProcessBuilder(java, "-Xmx256m", "-jar", "foundry-sim/target/foundry-sim.jar")
                .redirectErrorStream(true);
        spb.environment().putAll(Map.of("SIM_TTFT_MS", "5", "SIM_TOKENS_PER_SECOND", "400"));
        sim = spb.start();
        String ready = awaitLine(sim, "foundry-sim listening", out.resolve("sim.log"));
        simPort = Integer.parseInt(match(ready, "port=(\\d+)"));

        Path config = out.resolve("config.json");
        Files.writeString(config, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(config(simPort)));
        ProcessBuilder ppb = new ProcessBuilder(java, "-Xms64m", "-Xmx256m", "-jar", "proxy/target/proxy.jar")
                .redirectErrorStream(true);
        ppb.environment().putAll(Map.of("CONFIG_PATH", config.toAbsolutePath().toString(), "PORT", "0",
                "HOST", "127.0.0.1", "UPSTREAM_FORWARD_HEADERS", "x-sim-*", "CONFIG_POLL_MS", "500"));
        proxy = ppb.start();
        String listening = awaitLine(proxy, "proxy listening on", out.resolve("proxy.log"));
        proxyPort = Integer.parseInt(match(listening, "listening on [^ ]+:(\\d+)"));
        long pid = proxy.pid();
        System.out.printf("soak: %d s, %d workers, %d%% faults, config saved every %d s; proxy pid %d port %d, sim port %d%n",
                seconds, concurrency, faultPercent, reloadEvery, pid, proxyPort, simPort);

        // warm-up, then the idle level
        for (int i = 0; i < 60; i++) {
            request(new Random(i), 0, false);
        }
        outcomes.clear();
        sent.reset();
        Thread.sleep(3000);
        // the warm-up is in the proxy's totals too: the comparison uses the growth from here
        long statsBase = admin("GET", "/admin/api/stats?window=all", null).body.path("totals").path("requests").asLong();
        long metricsBase = metricsTotal();
        ProcSample idle = ProcSample.of(pid, heapUsed(), proxyPort, simPort);
        System.out.println("idle before load: " + idle);

        AtomicBoolean stop = new AtomicBoolean();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int w = 0; w < concurrency; w++) {
            int id = w;
            Thread.ofVirtual().start(() -> {
                Random rnd = new Random(1000 + id);
                try {
                    while (!stop.get() && System.nanoTime() < end) {
                        request(rnd, faultPercent, true);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        long nextSample = start;
        long nextReload = start + TimeUnit.SECONDS.toNanos(reloadEvery);
        ProcSample first = null;
        ProcSample last = null;
        long maxRss = 0;
        long maxHeap = 0;
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            if (now >= nextSample) {
                ProcSample s = ProcSample.of(pid, heapUsed(), proxyPort, simPort);
                if (first == null) {
                    first = s;
                }
                last = s;
                maxRss = Math.max(maxRss, s.rssKb);
                maxHeap = Math.max(maxHeap, s.heapBytes);
                String line = String.format("t=%4ds sent=%7d %s", TimeUnit.NANOSECONDS.toSeconds(now - start),
                        sent.sum(), s);
                samples.add(line);
                System.out.println(line);
                nextSample += TimeUnit.SECONDS.toNanos(10);
            }
            if (now >= nextReload) {
                saveConfig();
                nextReload += TimeUnit.SECONDS.toNanos(reloadEvery);
            }
            Thread.sleep(200);
        }
        stop.set(true);
        boolean finished = done.await(60, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;

        // back to idle: the load client hangs up; the proxy must close its side, and keep no more upstream
        // connections than its pool holds (pool.connections per origin, idle ones kept for reuse)
        http.close();
        ProcSample after = null;
        for (int i = 0; i < 30; i++) {
            Thread.sleep(1000);
            after = ProcSample.of(pid, heapUsed(), proxyPort, simPort);
            if (after.threads <= idle.threads + 4 && after.clientConns <= idle.clientConns + 1) {
                break;
            }
        }
        JsonNode stats = admin("GET", "/admin/api/stats?window=all", null).body;
        long statsTotal = stats.path("totals").path("requests").asLong(-1) - statsBase;
        long metricsTotal = metricsTotal() - metricsBase;

        // the report
        StringBuilder r = new StringBuilder();
        long total = sent.sum();
        r.append("==== soak report ====\n");
        r.append(String.format("duration %.0f s, workers %d, requests sent %d (%.0f/s), faults injected %d (%.1f%%), "
                + "config saves %d (failed %d)%n", elapsed, concurrency, total, total / elapsed, faultsInjected.sum(),
                100.0 * faultsInjected.sum() / Math.max(1, total), reloads.get(), reloadFailures.get()));
        r.append("outcomes:\n");
        new TreeMap<>(outcomes).forEach((k, v) -> r.append(String.format("  %-48s %8d%n", k, v.sum())));
        long unexpected = outcomes.entrySet().stream().filter(e -> e.getKey().startsWith("UNEXPECTED"))
                .mapToLong(e -> e.getValue().sum()).sum();
        r.append("samples every 10 s (heap is a GC sawtooth; RSS is the flatness test):\n");
        samples.forEach(s -> r.append("  ").append(s).append('\n'));
        r.append(String.format("heap: first %d MiB, last %d MiB, max %d MiB; RSS: first %d MiB, last %d MiB, max %d MiB%n",
                mib(first.heapBytes), mib(last.heapBytes), mib(maxHeap), first.rssKb / 1024, last.rssKb / 1024,
                maxRss / 1024));
        r.append("idle before load: ").append(idle).append('\n');
        r.append("idle after load:  ").append(after).append('\n');
        boolean threadsBack = after.threads <= idle.threads + 4;
        // upstream connections (open or half-closed) stay within the pool: parked, not leaked
        boolean socketsBack = after.clientConns <= idle.clientConns + 1
                && after.upstreamConns + after.upstreamCloseWait <= POOL && after.sockets <= idle.sockets + POOL;
        // a leak shows as RSS growing through the second half; allow 64 MiB of JIT/heap settling
        ProcSample mid = ProcSample.parse(samples.get(samples.size() / 2));
        boolean rssFlat = mid == null || last.rssKb - mid.rssKb < 64 * 1024;
        r.append(String.format("threads back to idle: %s (%d -> %d); connections back to idle: %s (client %d -> %d, "
                        + "upstream %d -> %d + %d CLOSE_WAIT, pool limit %d); RSS flat over the second half: %s (%d -> %d MiB)%n",
                threadsBack, idle.threads, after.threads, socketsBack, idle.clientConns, after.clientConns,
                idle.upstreamConns, after.upstreamConns, after.upstreamCloseWait, POOL, rssFlat,
                mid == null ? -1 : mid.rssKb / 1024, last.rssKb / 1024));
        boolean statsMatch = statsTotal == total;
        boolean metricsMatch = metricsTotal == total;
        r.append(String.format("proxy totals: admin stats %d, /metrics aoaigw_requests %d, sent %d -> %s%n", statsTotal,
                metricsTotal, total, statsMatch && metricsMatch ? "equal" : "MISMATCH"));
        r.append(String.format("unexpected outcomes (5xx without an injected fault, hangs, transport errors): %d%n",
                unexpected));
        boolean ok = finished && threadsBack && socketsBack && rssFlat && statsMatch && metricsMatch && unexpected == 0
                && reloadFailures.get() == 0 && reloads.get() >= Math.max(1, seconds / reloadEvery - 1);
        r.append("RESULT: ").append(ok ? "PASS" : "FAIL").append('\n');
        System.out.print(r);
        Files.writeString(out.resolve("report.txt"), r.toString());
        return ok ? 0 : 1;
    }

    static long mib(long bytes) {
        return bytes / (1024 * 1024);
    }

    ObjectNode config(int simPort) {
        ObjectNode c = JSON.createObjectNode();
        ObjectNode server = c.putObject("server");
        server.putObject("adminAuth").put("username", "soak").put("password", ADMIN_PASSWORD);
        server.putObject("upstream").put("maxRetries", 1).put("retryBaseMs", 100).put("retryMaxMs", 200)
                .put("retryAfterMaxMs", 500).put("firstByteTimeoutMs", 3000).put("idleTimeoutMs", 2000)
                .put("connectTimeoutMs", 2000);
        ((ObjectNode) server.path("upstream")).putObject("pool").put("connections", POOL);
        c.putObject("auth").put("mode", "apiKey").put("apiKey", "sim-key");
        ArrayNode keys = c.putArray("apiKeys");
        for (String k : KEYS) {
            keys.addObject().put("id", k).put("key", k);
        }
        c.putArray("upstreams").addObject().put("name", "sim").put("baseUrl", "http://127.0.0.1:" + simPort);
        ArrayNode models = c.putArray("models");
        for (String m : MODELS) {
            models.addObject().put("id", m).put("upstream", "sim");
        }
        return c;
    }

    /** One request of the mix; its outcome is counted by kind. */
    void request(Random rnd, int faultPercent, boolean count) {
        String key = KEYS[rnd.nextInt(KEYS.length)];
        String model = MODELS[rnd.nextInt(MODELS.length)];
        boolean stream = rnd.nextBoolean();
        boolean responses = rnd.nextInt(4) == 0;
        String fault = rnd.nextInt(100) < faultPercent ? FAULTS[rnd.nextInt(FAULTS.length)] : null;
        ObjectNode body = JSON.createObjectNode().put("model", model).put("stream", stream);
        String words = "soak request number " + rnd.nextInt(1000) + " with a few words";
        if (responses) {
            body.put("input", words);
        } else {
            body.putArray("messages").addObject().put("role", "user").put("content", words);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/v1/"
                        + (responses ? "responses" : "chat/completions")))
                .timeout(Duration.ofSeconds(30)).header("authorization", "Bearer " + key)
                .header("content-type", "application/json").header("x-sim-tokens", String.valueOf(5 + rnd.nextInt(20)))
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (fault != null) {
            b.header("x-sim-fault", fault).header("x-sim-delay-ms", "5000").header("x-sim-retry-after-ms", "100");
        }
        String outcome;
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            outcome = classify(r, stream, fault);
        } catch (java.net.http.HttpTimeoutException e) {
            outcome = "UNEXPECTED hang (30 s client timeout)";
        } catch (IOException e) {
            outcome = "UNEXPECTED transport " + e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (count) {
            sent.increment();
            if (fault != null) {
                faultsInjected.increment();
            }
            outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        }
    }

    static String classify(HttpResponse<String> r, boolean stream, String fault) {
        int s = r.statusCode();
        String tag = fault == null ? "" : " [fault " + fault + "]";
        if (s == 200 && stream) {
            String body = r.body();
            // the proxy's stream error: chat `data: {"error":...}`, Responses `event: error`
            int i = Math.max(body.lastIndexOf("data: {\"error\""), body.lastIndexOf("event: error"));
            if (i >= 0) {
                String code = match(body.substring(i), "\"code\"\\s*:\\s*\"([^\"]+)\"");
                return (fault == null ? "UNEXPECTED " : "") + "200 stream ended by error " + code + tag;
            }
            boolean complete = body.contains("data: [DONE]") || body.contains("event: response.completed");
            return complete ? "200 stream complete" + tag : "UNEXPECTED 200 stream without an end" + tag;
        }
        if (s == 200) {
            return "200" + tag;
        }
        String code;
        try {
            JsonNode e = JSON.readTree(r.body()).path("error");
            code = e.path("code").asText("?");
        } catch (IOException e) {
            code = "non-JSON body";
        }
        return (fault == null ? "UNEXPECTED " : "") + s + " " + code + tag;
    }

    void saveConfig() {
        try {
            Admin got = admin("GET", "/admin/api/config", null);
            ObjectNode cfg = (ObjectNode) got.body.path("config");
            ObjectNode up = (ObjectNode) cfg.path("server").path("upstream");
            up.put("retryBaseMs", up.path("retryBaseMs").asInt() == 100 ? 120 : 100);
            Admin put = admin("PUT", "/admin/api/config", cfg.toString(), "if-match",
                    "\"" + got.body.path("etag").asText() + "\"");
            if (put.status != 200) {
                reloadFailures.incrementAndGet();
                System.out.println("config save failed: " + put.status + " " + put.body);
                return;
            }
            // the saved version is the one in effect
            String etag = put.body.path("etag").asText();
            for (int i = 0; i < 50; i++) {
                if (etag.equals(admin("GET", "/admin/api/config", null).body.path("inEffectEtag").asText())) {
                    reloads.incrementAndGet();
                    return;
                }
                Thread.sleep(100);
            }
            reloadFailures.incrementAndGet();
            System.out.println("config save not in effect after 5 s");
        } catch (Exception e) {
            reloadFailures.incrementAndGet();
            System.out.println("config save failed: " + e);
        }
    }

    record Admin(int status, JsonNode body) {
    }

    Admin admin(String method, String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
                .timeout(Duration.ofSeconds(20))
                .header("authorization", "Basic " + Base64.getEncoder().encodeToString(("soak:" + ADMIN_PASSWORD)
                        .getBytes(StandardCharsets.UTF_8)))
                .header("x-requested-with", "soak")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> r = control.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Admin(r.statusCode(), JSON.readTree(r.body()));
    }

    /** The proxy's heap in use, from its /metrics (loopback). */
    long heapUsed() {
        String m = metrics();
        Matcher x = Pattern.compile("(?m)^memory_used_?[Hh]eap_bytes(?:\\{[^}]*\\})? ([0-9.eE+]+)").matcher(m);
        return x.find() ? (long) Double.parseDouble(x.group(1)) : -1;
    }

    long metricsTotal() {
        String m = metrics();
        Matcher x = Pattern.compile("(?m)^aoaigw_requests_total\\{([^}]*)\\} ([0-9.eE+]+)").matcher(m);
        long sum = 0;
        while (x.find()) {
            if (x.group(1).contains("key_id=\"soak-key-")) {
                sum += (long) Double.parseDouble(x.group(2));
            }
        }
        return sum;
    }

    String metrics() {
        try {
            return control.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).header("accept", "text/plain").GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** RSS, platform threads and sockets of a process, and the heap it reports. */
    record ProcSample(long rssKb, int threads, int sockets, long heapBytes, int clientConns, int upstreamConns,
                      int upstreamCloseWait) {
        static ProcSample of(long pid, long heap, int proxyPort, int simPort) {
            long rss = -1;
            int threads = -1;
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                    if (line.startsWith("VmRSS:")) {
                        rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    } else if (line.startsWith("Threads:")) {
                        threads = Integer.parseInt(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            int sockets = 0;
            java.util.Set<String> inodes = new java.util.HashSet<>();
            try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
                for (Path fd : (Iterable<Path>) fds::iterator) {
                    try {
                        String target = Files.readSymbolicLink(fd).toString();
                        if (target.startsWith("socket:[")) {
                            sockets++;
                            inodes.add(target.substring(8, target.length() - 1));
                        }
                    } catch (IOException ignored) {
                        // closed meanwhile
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            // established TCP connections of the proxy: accepted from clients (local port = the proxy's) and
            // to the simulator (remote port = the sim's), from the namespace's tables filtered by the proxy's inodes
            int clients = 0;
            int upstream = 0;
            int closeWait = 0;
            for (String table : new String[] {"tcp", "tcp6"}) {
                try {
                    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "net", table))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length < 10 || !inodes.contains(f[9])) {
                            continue;
                        }
                        int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                        int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
                        if (f[3].equals("08") && remote == simPort) {
                            closeWait++; // the simulator closed it, the proxy still holds it
                            continue;
                        }
                        if (!f[3].equals("01")) {
                            continue;
                        }
                        if (local == proxyPort) {
                            clients++;
                        } else if (remote == simPort) {
                            upstream++;
                        }
                    }
                } catch (IOException | RuntimeException ignored) {
                    // no such table
                }
            }
            return new ProcSample(rss, threads, sockets, heap, clients, upstream, closeWait);
        }

        static ProcSample parse(String line) {
            Matcher m = Pattern.compile("heap=(\\d+)MiB rss=(\\d+)MiB threads=(\\d+) sockets=(\\d+)").matcher(line);
            return m.find() ? new ProcSample(Long.parseLong(m.group(2)) * 1024, Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Long.parseLong(m.group(1)) * 1024 * 1024, -1, -1, -1) : null;
        }

        @Override
        public String toString() {
            return String.format("heap=%dMiB rss=%dMiB threads=%d sockets=%d (client conns %d, upstream conns %d, "
                    + "upstream CLOSE_WAIT %d)", mib(heapBytes), rssKb / 1024, threads, sockets, clientConns,
                    upstreamConns, upstreamCloseWait);
        }
    }

    static String match(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : "?";
    }

    /** Waits for a line of a child's output, then keeps copying the output to a log file. */
    static String awaitLine(Process p, String marker, Path log) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CountDownLatch seen = new CountDownLatch(1);
        String[] found = new String[1];
        Thread.ofPlatform().daemon().start(() -> {
            try (var w = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.newLine();
                    w.flush();
                    if (found[0] == null && line.contains(marker)) {
                        found[0] = line;
                        seen.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the child ended
            }
        });
        if (!seen.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no '" + marker + "' line within 60 s; see " + log);
        }
        return found[0];
    }

    void stopChildren() {
        for (Process p : new Process[] {proxy, sim}) {
            if (p != null) {
                p.destroy();
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
    }
}
