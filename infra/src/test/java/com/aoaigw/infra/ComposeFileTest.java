package com.aoaigw.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code compose.yaml} and its overrides: validated by the real {@code docker-compose config} (Debian's v1.29, installed
 * by scripts/install-tools.sh) in every documented layout, and checked structurally by parsing the YAML.
 */
@Timeout(120)
class ComposeFileTest {
    private static final List<String> FILES = List.of("compose.yaml", "infra/compose/sim.yaml", "infra/compose/blob.yaml",
            "infra/compose/otel.yaml");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?}");
    /** Every variable the files read, removed from the inherited environment so a developer's shell cannot leak in. */
    private static final Set<String> VARIABLES = new TreeSet<>();

    @TempDir
    Path tmp;

    /** The base file's resolved config, computed once: every docker-compose run costs a Python start-up. */
    private static JsonNode baseConfig;

    @BeforeAll
    static void dockerComposeIsInstalled() {
        String path = System.getenv("PATH");
        boolean found = path != null && java.util.Arrays.stream(path.split(java.io.File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "docker-compose")));
        if (!found) {
            fail("docker-compose is not on the PATH; it is required to validate compose.yaml "
                    + "(run scripts/install-tools.sh, which installs Debian's docker-compose package)");
        }
        for (String file : FILES) {
            Matcher m = INTERPOLATION.matcher(Repo.text(file));
            while (m.find()) {
                VARIABLES.add(m.group(1));
            }
        }
        VARIABLES.addAll(List.of("COMPOSE_FILE", "COMPOSE_PROFILES", "COMPOSE_PROJECT_NAME", "COMPOSE_PATH_SEPARATOR"));
    }

    private Repo.Run compose(Map<String, String> vars, List<String> files, List<String> args) throws IOException {
        Path envFile = tmp.resolve("empty.env");
        Files.writeString(envFile, "");
        Map<String, String> env = new HashMap<>();
        VARIABLES.forEach(v -> env.put(v, null));
        env.putAll(vars);
        List<String> command = new ArrayList<>(List.of("docker-compose", "--env-file", envFile.toString()));
        files.forEach(f -> command.addAll(List.of("-f", f)));
        command.addAll(args);
        return Repo.run(env, command);
    }

    private JsonNode config(Map<String, String> vars, List<String> files) throws IOException {
        Repo.Run run = compose(vars, files, List.of("config"));
        assertEquals(0, run.exitCode(), () -> "docker-compose config failed for " + files + ": " + run.all());
        return Repo.YAML.readTree(run.stdout());
    }

    private synchronized JsonNode base() throws IOException {
        if (baseConfig == null) {
            baseConfig = config(Map.of(), List.of("compose.yaml"));
        }
        return baseConfig;
    }

    @Test
    void baseFileNeedsNoEnvAndBothProcessesShareOneTokenFileOnTheVolume() throws IOException {
        JsonNode cfg = base();
        for (String service : List.of("proxy", "caddy-manager")) {
            JsonNode env = cfg.at("/services/" + service + "/environment");
            assertEquals("", env.path("CADDY_MANAGER_TOKEN").asText(), service + ": no token unless .env sets one");
            assertEquals("/app/data/caddy-manager.token", env.path("CADDY_MANAGER_TOKEN_FILE").asText(), service);
            assertTrue(cfg.at("/services/" + service + "/volumes").toString().contains("/app/data"), service);
        }
        assertEquals("azureFile", cfg.at("/services/proxy/environment/PERSISTENCE_MODE").asText());

        JsonNode given = config(Map.of("CADDY_MANAGER_TOKEN", "t0k"), List.of("compose.yaml"));
        assertEquals("t0k", given.at("/services/proxy/environment/CADDY_MANAGER_TOKEN").asText());
        assertEquals("t0k", given.at("/services/caddy-manager/environment/CADDY_MANAGER_TOKEN").asText());
    }

    @Test
    void resolvedConfigKeepsTheOptionalServicesBehindTheirProfiles() throws IOException {
        // docker-compose 1.29's `config` prints every service with its `profiles`; the engine filters at `up`.
        JsonNode services = base().get("services");
        assertEquals(Set.of("proxy", "caddy-manager", "foundry-sim", "azurite", "redis", "otel-collector"),
                names(services));
        assertTrue(services.at("/proxy/profiles").isMissingNode(), "the proxy always runs");
        assertTrue(services.at("/caddy-manager/profiles").isMissingNode(), "caddy-manager always runs");
        assertEquals(List.of("sim"), texts(services.at("/foundry-sim/profiles")));
        assertEquals(List.of("blob"), texts(services.at("/azurite/profiles")));
        assertEquals(List.of("redis"), texts(services.at("/redis/profiles")));
        assertEquals(List.of("otel"), texts(services.at("/otel-collector/profiles")));
        assertEquals("service:proxy", services.at("/caddy-manager/network_mode").asText());
    }

    @Test
    void simLayoutNeedsNoEnvAndGeneratesTheDemoSecretsOnTheVolume() throws IOException {
        List<String> files = List.of("compose.yaml", "infra/compose/sim.yaml");
        JsonNode cfg = config(Map.of("COMPOSE_PROFILES", "sim"), files);
        JsonNode proxy = cfg.at("/services/proxy");
        assertEquals("/app/seed/sim-config.json", proxy.at("/environment/CONFIG_SEED").asText());
        assertEquals("/app/data/demo-secrets.env", proxy.at("/environment/SECRETS_FILE").asText());
        assertEquals("DEMO_CLIENT_KEY SIM_API_KEYS", proxy.at("/environment/SECRETS_GENERATE").asText());
        assertEquals("DEMO_CLIENT_KEY", proxy.at("/environment/SECRETS_PRINT").asText(), "only the client key is printed");
        assertEquals("", proxy.at("/environment/DEMO_CLIENT_KEY").asText());
        JsonNode sim = cfg.at("/services/foundry-sim");
        assertEquals("/app/data/demo-secrets.env", sim.at("/environment/SECRETS_FILE").asText());
        assertEquals("SIM_API_KEYS", sim.at("/environment/SECRETS_WAIT").asText());
        assertTrue(sim.get("volumes").toString().contains("data:/app/data:ro")
                        || sim.get("volumes").toString().contains("\"read_only\":true"), sim.get("volumes").toString());
        assertEquals("service:proxy", sim.at("/network_mode").asText(),
                "foundry-sim listens on 127.0.0.1 only: it must share the proxy's namespace");
        assertTrue(proxy.at("/depends_on/foundry-sim").isMissingNode(), "no dependency cycle with network_mode");
        String volumes = proxy.get("volumes").toString();
        assertTrue(volumes.contains("data:/app/data"), volumes);
        assertTrue(volumes.contains("sim-config.json:/app/seed/sim-config.json:ro"), volumes);
        assertTrue(Repo.text("infra/compose/sim-config.json").contains("\"env:SIM_API_KEYS\""),
                "the proxy's upstream key is the simulator's accepted key");

        // Values from .env replace the generated ones, for both containers.
        JsonNode given = config(Map.of("DEMO_CLIENT_KEY", "demo-k", "SIM_API_KEY", "sim-k", "COMPOSE_PROFILES", "sim"),
                files);
        assertEquals("demo-k", given.at("/services/proxy/environment/DEMO_CLIENT_KEY").asText());
        assertEquals("sim-k", given.at("/services/proxy/environment/SIM_API_KEYS").asText());
        assertEquals("sim-k", given.at("/services/foundry-sim/environment/SIM_API_KEYS").asText());
    }

    @Test
    void redisProfileIsWhereTheProxysRedisUrlPoints() throws IOException {
        JsonNode cfg = base();
        assertEquals("redis://redis:6379", cfg.at("/services/proxy/environment/REDIS_URL").asText());
        JsonNode redis = cfg.at("/services/redis");
        assertTrue(redis.at("/image").asText().matches("redis:\\d+\\.\\d+\\.\\d+-alpine"), redis.toString());
        assertTrue(redis.at("/ports").isMissingNode(), "redis must not be published on the host");
        assertTrue(redis.get("volumes").toString().contains("/data"), "counters survive a restart");
        assertTrue(texts(redis.get("command")).contains("--appendonly"), redis.toString());
        // The config line the README gives, loaded by the real loader with the proxy's environment from compose.
        com.fasterxml.jackson.databind.node.ObjectNode doc = (com.fasterxml.jackson.databind.node.ObjectNode)
                Repo.json("infra/compose/sim-config.json");
        ((com.fasterxml.jackson.databind.node.ObjectNode) doc.get("server")).putObject("sharedState")
                .put("mode", "redis").put("redisUrl", "env:REDIS_URL");
        Map<String, String> proxyEnv = new HashMap<>(Map.of("DEMO_CLIENT_KEY", "k-0123456789abcdef", "SIM_API_KEYS", "s"));
        proxyEnv.put("REDIS_URL", cfg.at("/services/proxy/environment/REDIS_URL").asText());
        com.aoaigw.config.LoadedConfig loaded = new com.aoaigw.config.ConfigLoader(proxyEnv::get).load(doc.toString());
        assertEquals("redis", loaded.config().server().sharedState().mode());
        assertEquals("redis://redis:6379", loaded.config().server().sharedState().redisUrl().reveal());
        assertEquals("env:REDIS_URL", loaded.config().server().sharedState().redisUrl().stored());

        JsonNode given = config(Map.of("REDIS_URL", "rediss://:pw@cache.example:6380"), List.of("compose.yaml"));
        assertEquals("rediss://:pw@cache.example:6380", given.at("/services/proxy/environment/REDIS_URL").asText());
    }

    @Test
    void otelLayoutPointsBothProcessesAtTheCollector() throws IOException {
        List<String> files = List.of("compose.yaml", "infra/compose/otel.yaml");
        JsonNode cfg = config(Map.of("COMPOSE_PROFILES", "otel"), files);
        for (String service : List.of("proxy", "caddy-manager")) {
            JsonNode env = cfg.at("/services/" + service + "/environment");
            assertEquals("http://otel-collector:4318", env.path("OTEL_EXPORTER_OTLP_ENDPOINT").asText(), service);
            assertEquals("http/protobuf", env.path("OTEL_EXPORTER_OTLP_PROTOCOL").asText(), service);
            assertFalse(env.path("OTEL_SERVICE_NAME").asText().isEmpty(), service);
            assertFalse(env.path("OTEL_TRACES_SAMPLER").asText().isEmpty(), service);
        }
        assertNotEquals(cfg.at("/services/proxy/environment/OTEL_SERVICE_NAME").asText(),
                cfg.at("/services/caddy-manager/environment/OTEL_SERVICE_NAME").asText());
        String collector = cfg.at("/services/otel-collector/volumes").toString();
        assertTrue(collector.contains("otel-collector.yaml"), collector);
        JsonNode collectorConfig = Repo.yaml("infra/compose/otel-collector.yaml");
        assertEquals("0.0.0.0:4318", collectorConfig.at("/receivers/otlp/protocols/http/endpoint").asText());
        for (String pipeline : List.of("traces", "metrics")) {
            assertEquals(List.of("otlp"), texts(collectorConfig.at("/service/pipelines/" + pipeline + "/receivers")));
        }
        JsonNode given = config(Map.of("COMPOSE_PROFILES", "otel", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://elsewhere:4318",
                "OTEL_TRACES_SAMPLER_ARG", "0.1"), files);
        assertEquals("http://elsewhere:4318", given.at("/services/proxy/environment/OTEL_EXPORTER_OTLP_ENDPOINT").asText());
        assertEquals("0.1", given.at("/services/caddy-manager/environment/OTEL_TRACES_SAMPLER_ARG").asText());
        // Off by default: without the override nothing points at a collector.
        assertTrue(base().at("/services/proxy/environment/OTEL_EXPORTER_OTLP_ENDPOINT").isMissingNode());
    }

    @Test
    void blobLayoutSwitchesBothProcessesToAzurite() throws IOException {
        List<String> files = List.of("compose.yaml", "infra/compose/blob.yaml");
        JsonNode cfg = config(Map.of("AZURITE_ACCOUNT_KEY", "a2V5", "COMPOSE_PROFILES", "blob"),
                files);
        for (String service : List.of("proxy", "caddy-manager")) {
            JsonNode env = cfg.at("/services/" + service + "/environment");
            assertEquals("blob", env.path("PERSISTENCE_MODE").asText(), service);
            String cs = env.path("AZURE_STORAGE_CONNECTION_STRING").asText();
            assertTrue(cs.contains("AccountKey=a2V5;") && cs.contains("BlobEndpoint=http://azurite:10000/aoaigw;"), cs);
        }
        assertEquals("aoaigw:a2V5", cfg.at("/services/azurite/environment/AZURITE_ACCOUNTS").asText());
        assertEquals("service_healthy", cfg.at("/services/proxy/depends_on/azurite/condition").asText());

        Repo.Run noKey = compose(Map.of("COMPOSE_PROFILES", "blob"), files, List.of("config"));
        assertNotEquals(0, noKey.exitCode(), "Azurite must not run with a default key");
        assertTrue(noKey.all().contains("set AZURITE_ACCOUNT_KEY"), noKey.all());

        // The connection string exists only in the blob layout.
        assertTrue(base().at("/services/proxy/environment/AZURE_STORAGE_CONNECTION_STRING").isMissingNode());
    }

    @Test
    void envExampleLayoutsWorkThroughComposeFileAndProfiles() throws IOException {
        // The "Both" layout of infra/compose/env.example, given as a .env-style file as a user would.
        String example = Repo.text("infra/compose/env.example");
        assertTrue(example.contains("#COMPOSE_FILE=compose.yaml:infra/compose/sim.yaml:infra/compose/blob.yaml"), example);
        Path envFile = tmp.resolve("user.env");
        Files.writeString(envFile, """
                CADDY_MANAGER_TOKEN=t
                COMPOSE_FILE=compose.yaml:infra/compose/sim.yaml:infra/compose/blob.yaml
                COMPOSE_PROFILES=sim,blob
                DEMO_CLIENT_KEY=d
                SIM_API_KEY=s
                AZURITE_ACCOUNT_KEY=k
                """);
        Map<String, String> env = new HashMap<>();
        VARIABLES.forEach(v -> env.put(v, null));
        Repo.Run run = Repo.run(env, List.of("docker-compose", "--env-file", envFile.toString(), "config"));
        assertEquals(0, run.exitCode(), run.all());
        JsonNode proxyEnv = Repo.YAML.readTree(run.stdout()).at("/services/proxy/environment");
        // Both overrides were picked up from COMPOSE_FILE: the sim seed and blob mode together.
        assertEquals("/app/seed/sim-config.json", proxyEnv.path("CONFIG_SEED").asText(), proxyEnv.toString());
        assertEquals("blob", proxyEnv.path("PERSISTENCE_MODE").asText(), proxyEnv.toString());
    }

    @Test
    void servicesShareOneNetworkNamespaceAndOneDataVolume() {
        JsonNode compose = Repo.yaml("compose.yaml");
        JsonNode services = compose.get("services");
        JsonNode proxy = services.get("proxy");
        JsonNode manager = services.get("caddy-manager");

        assertEquals("service:proxy", manager.path("network_mode").asText());
        assertTrue(manager.path("ports").isMissingNode(), "ports belong to the namespace owner (proxy)");
        assertTrue(proxy.path("profiles").isMissingNode() && manager.path("profiles").isMissingNode());
        assertTrue(compose.at("/volumes").has("data"), "named volume data");
        for (JsonNode service : List.of(proxy, manager)) {
            assertTrue(texts(service.get("volumes")).contains("data:/app/data"), service.toString());
            assertEquals("/app/data/config.json", service.at("/environment/CONFIG_PATH").asText());
            assertEquals(".", service.at("/build/context").asText(), "multi-module build from the repo root");
        }
        assertEquals("proxy/Dockerfile", proxy.at("/build/dockerfile").asText());
        assertEquals("caddy-manager/Dockerfile", manager.at("/build/dockerfile").asText());
        assertEquals("/app/data/caddy", manager.at("/environment/CADDY_DATA_DIR").asText(), "Caddy storage on the volume");
        assertEquals("http://127.0.0.1:3000", manager.at("/environment/PROXY_ADMIN_URL").asText());
        assertEquals("infra/docker/foundry-sim.Dockerfile", services.at("/foundry-sim/build/dockerfile").asText());
        assertEquals("service:proxy", services.at("/foundry-sim/network_mode").asText());
    }

    @Test
    void onlyCaddyIsPublishedAndPort3000StaysOnLoopback() {
        JsonNode proxy = Repo.yaml("compose.yaml").at("/services/proxy");
        List<String> ports = texts(proxy.get("ports"));
        assertEquals(3, ports.size(), ports.toString());
        assertTrue(ports.contains("${HTTP_PORT:-80}:80"), ports.toString());
        assertTrue(ports.contains("${HTTPS_PORT:-443}:443"), ports.toString());
        List<String> direct = ports.stream().filter(p -> p.endsWith(":3000")).toList();
        assertEquals(List.of("127.0.0.1:${PROXY_LOCAL_PORT:-3000}:3000"), direct, "3000 only on the host's loopback");
        for (String service : List.of("foundry-sim", "azurite")) {
            assertTrue(Repo.yaml("compose.yaml").at("/services/" + service + "/ports").isMissingNode(),
                    service + " must not be published");
        }
    }

    @Test
    void optionalServicesHaveProfilesAndPinnedImages() {
        JsonNode services = Repo.yaml("compose.yaml").get("services");
        assertEquals(List.of("sim"), texts(services.at("/foundry-sim/profiles")));
        assertEquals(List.of("blob"), texts(services.at("/azurite/profiles")));
        String azurite = services.at("/azurite/image").asText();
        assertTrue(azurite.matches("mcr\\.microsoft\\.com/azure-storage/azurite:\\d+\\.\\d+\\.\\d+"), azurite);
    }

    @Test
    void everyServiceHasAHealthCheckMatchingItsDockerfile() {
        JsonNode services = Repo.yaml("compose.yaml").get("services");
        Map<String, String> dockerfiles = Map.of("proxy", "proxy/Dockerfile", "caddy-manager", "caddy-manager/Dockerfile",
                "foundry-sim", "infra/docker/foundry-sim.Dockerfile");
        for (var it = services.fields(); it.hasNext(); ) {
            var e = it.next();
            JsonNode test = e.getValue().at("/healthcheck/test");
            assertTrue(test.isArray() && test.size() > 1 && test.get(0).asText().equals("CMD"), e.getKey() + ": " + test);
            assertFalse(e.getValue().at("/healthcheck/interval").isMissingNode(), e.getKey());
            String dockerfile = dockerfiles.get(e.getKey());
            if (dockerfile != null) {
                assertEquals(Dockerfiles.healthcheckCommand(Repo.text(dockerfile)), texts(test).subList(1, test.size()),
                        e.getKey() + ": compose healthcheck differs from the image's HEALTHCHECK");
            }
        }
    }

    @Test
    void noSecretHasAWorkingDefault() {
        for (String file : FILES) {
            Matcher m = INTERPOLATION.matcher(Repo.text(file));
            while (m.find()) {
                String name = m.group(1);
                String op = m.group(2);
                String value = m.group(3);
                if (name.matches(".*(TOKEN|KEY|PASSWORD|SECRET).*") && op != null && op.endsWith("-")) {
                    assertTrue(value.isEmpty(), file + ": " + m.group() + " gives a secret a default");
                }
            }
        }
    }

    @Test
    void everyVariableIsDocumented() {
        String readme = Repo.text("infra/README.md");
        String example = Repo.text("infra/compose/env.example");
        Set<String> undocumented = new LinkedHashSet<>();
        for (String v : VARIABLES) {
            if (!readme.contains("`" + v + "`")) {
                undocumented.add(v + " (infra/README.md)");
            }
            if (!v.equals("COMPOSE_PROJECT_NAME") && !v.equals("COMPOSE_PATH_SEPARATOR")
                    && !Pattern.compile("(?m)^#?" + v + "=").matcher(example).find()) {
                undocumented.add(v + " (infra/compose/env.example)");
            }
        }
        assertEquals(Set.of(), undocumented);
    }

    private static Set<String> names(JsonNode object) {
        Set<String> out = new TreeSet<>();
        object.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array != null) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
