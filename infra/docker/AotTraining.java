import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The training run of the proxy's ahead-of-time cache (JDK 25, JEP 483/514/515): starts foundry-sim and the proxy with
 * {@code -XX:AOTCacheOutput}, sends the requests a gateway serves (models, chat and responses, streamed and not,
 * embeddings, a refused key, the admin page, metrics), then stops the proxy with SIGTERM, at which point the JVM
 * writes the cache. Used by the proxy image's build (a stage on the runtime base, so the JDK and the jar paths are the
 * ones the container runs with) and by {@code make build} (run as a single-file program by the JDK).
 *
 * <pre>
 * java AotTraining.java &lt;proxy.jar&gt; &lt;foundry-sim.jar&gt; &lt;cache to write&gt; [JVM flags of the proxy ...]
 * </pre>
 *
 * The JVM flags must be the ones the proxy later runs with (the cache needs the same collector and object header
 * layout). Exit code 0 when the cache was written, 1 otherwise. It depends on the JDK alone.
 */
public final class AotTraining {
    private static final String KEY = "aot-training-client-key-0123456789";
    private static final String SIM_KEY = "aot-training-sim-key";

    private AotTraining() {
    }

    /**
     * @param args proxy jar, foundry-sim jar, cache file, then the proxy's JVM flags
     * @throws Exception when the training cannot run
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: AotTraining <proxy.jar> <foundry-sim.jar> <cache.aot> [JVM flags ...]");
            System.exit(2);
        }
        Path cache = Path.of(args[2]).toAbsolutePath();
        List<String> flags = new ArrayList<>();
        for (String f : Arrays.asList(args).subList(3, args.length)) {
            if (!f.isBlank() && !f.startsWith("-XX:AOTCache") && !f.startsWith("-XX:AOTMode")) {
                flags.add(f);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Files.createTempDirectory("aot-training");
        int simPort = freePort();
        int proxyPort = freePort();
        Files.deleteIfExists(cache);
        Files.writeString(work.resolve("config.json"), """
                {
                  "server": { "host": "127.0.0.1", "port": %d },
                  "auth": { "mode": "apiKey", "apiKey": "env:AOT_SIM_KEY" },
                  "apiKeys": [ { "id": "training", "key": "env:AOT_CLIENT_KEY" } ],
                  "upstreams": [ { "name": "sim", "baseUrl": "http://127.0.0.1:%d/" } ],
                  "models": [
                    { "id": "gpt-4o-mini", "upstream": "sim", "targetModel": "gpt-4o-mini", "family": "gpt-4o" },
                    { "id": "gpt-5-mini", "upstream": "sim", "targetModel": "gpt-5-mini", "family": "gpt-5" },
                    { "id": "text-embedding-3-small", "upstream": "sim", "targetModel": "text-embedding-3-small",
                      "family": "embedding" }
                  ]
                }
                """.formatted(proxyPort, simPort));

        ProcessBuilder simBuilder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-jar", args[1])
                .redirectErrorStream(true).redirectOutput(work.resolve("sim.log").toFile());
        simBuilder.environment().putAll(Map.of("SIM_PORT", String.valueOf(simPort), "SIM_API_KEYS", SIM_KEY,
                "SIM_ZERO_LATENCY", "true"));
        Process sim = simBuilder.start();
        List<String> proxyCommand = new ArrayList<>(List.of(java));
        proxyCommand.addAll(flags);
        proxyCommand.addAll(List.of("-XX:AOTCacheOutput=" + cache, "-jar", args[0]));
        ProcessBuilder proxyBuilder = new ProcessBuilder(proxyCommand)
                .redirectErrorStream(true).redirectOutput(work.resolve("proxy.log").toFile());
        proxyBuilder.environment().putAll(Map.of("CONFIG_PATH", work.resolve("config.json").toString(),
                "AOT_CLIENT_KEY", KEY, "AOT_SIM_KEY", SIM_KEY, "LOG_LEVEL", "WARNING"));
        proxyBuilder.environment().remove("CADDY_MANAGER_TOKEN_FILE");
        proxyBuilder.environment().remove("CONFIG_SEED_JSON");
        Process proxy = proxyBuilder.start();
        int exit = 1;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
            String sims = "http://127.0.0.1:" + simPort;
            String base = "http://127.0.0.1:" + proxyPort;
            await(http, sims + "/_sim/stats", sim, work.resolve("sim.log"));
            await(http, base + "/healthz", proxy, work.resolve("proxy.log"));
            for (int round = 0; round < 20; round++) {
                send(http, base + "/v1/models", null);
                send(http, base + "/v1/chat/completions", """
                        {"model":"gpt-4o-mini","messages":[{"role":"user","content":"hello"}]}""");
                send(http, base + "/v1/chat/completions", """
                        {"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hello"}]}""");
                send(http, base + "/v1/responses", """
                        {"model":"gpt-5-mini","input":"hello"}""");
                send(http, base + "/v1/responses", """
                        {"model":"gpt-5-mini","stream":true,"input":"hello"}""");
                send(http, base + "/v1/embeddings", """
                        {"model":"text-embedding-3-small","input":"hello"}""");
                http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).header("Authorization", "Bearer wrong")
                        .build(), HttpResponse.BodyHandlers.discarding());
                http.send(HttpRequest.newBuilder(URI.create(base + "/admin/")).build(), HttpResponse.BodyHandlers.discarding());
                http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(), HttpResponse.BodyHandlers.discarding());
                http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.discarding());
            }
            // SIGTERM: the JVM writes the cache while it exits.
            proxy.destroy();
            if (!proxy.waitFor(300, TimeUnit.SECONDS)) {
                System.err.println("AotTraining: the proxy did not exit within 300 s");
            } else if (Files.isRegularFile(cache) && Files.size(cache) > 0) {
                System.out.println("AotTraining: wrote " + cache + " (" + Files.size(cache) / (1024 * 1024) + " MiB)");
                exit = 0;
            } else {
                System.err.println("AotTraining: no cache at " + cache + "; the proxy's log:\n"
                        + Files.readString(work.resolve("proxy.log")));
            }
        } finally {
            proxy.destroyForcibly();
            sim.destroy();
            sim.waitFor(30, TimeUnit.SECONDS);
            sim.destroyForcibly();
            for (File f : work.toFile().listFiles()) {
                f.delete();
            }
            work.toFile().delete();
        }
        System.exit(exit);
    }

    private static void send(HttpClient http, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + KEY);
        if (body != null) {
            b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(url + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static void await(HttpClient http, String url, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException(url + ": the process exited:\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException(url + " did not answer 200 within 300 s:\n" + Files.readString(log));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
