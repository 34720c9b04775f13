package com.aoaigw.infra;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Dockerfiles: pinned bases, multi-stage Maven build, non-root user, health check, no baked secrets. */
@Timeout(30)
class DockerfileTest {
    @ParameterizedTest
    @ValueSource(strings = {"proxy/Dockerfile", "caddy-manager/Dockerfile", "infra/docker/foundry-sim.Dockerfile"})
    void everyBaseImageIsPinned(String file) {
        List<Dockerfiles.Stage> stages = Dockerfiles.stages(Repo.text(file));
        Set<String> aliases = stages.stream().map(Dockerfiles.Stage::alias).filter(a -> !a.isEmpty())
                .collect(Collectors.toSet());
        for (Dockerfiles.Stage stage : stages) {
            String image = stage.image();
            if (aliases.contains(image)) {
                continue; // FROM an earlier stage
            }
            assertFalse(image.contains("$"), file + ": FROM with a variable cannot be checked: " + image);
            assertFalse(image.endsWith(":latest") || image.contains(":latest@"), file + ": " + image);
            boolean digest = image.matches(".+@sha256:[0-9a-f]{64}");
            String tag = image.contains(":") ? image.substring(image.lastIndexOf(':') + 1) : "";
            boolean versionTag = tag.matches(".*\\d+\\.\\d+.*");
            assertTrue(digest || versionTag, file + ": base image must carry a version tag (x.y...) or digest: " + image);
        }
    }

    @ParameterizedTest
    @CsvSource({"proxy/Dockerfile, proxy", "caddy-manager/Dockerfile, caddy-manager",
            "infra/docker/foundry-sim.Dockerfile, foundry-sim"})
    void buildsFromTheReactorAndCopiesJarAndLibs(String file, String module) {
        List<Dockerfiles.Stage> stages = Dockerfiles.stages(Repo.text(file));
        assertTrue(stages.size() >= 2, file + " must be multi-stage");
        Dockerfiles.Stage build = stages.getFirst();
        assertTrue(build.image().startsWith("maven:") && build.image().contains("temurin-25"), build.image());
        String run = build.all("RUN").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining(" "));
        assertTrue(run.matches(".*mvn -B .*-DskipTests package -pl " + module + "(,foundry-sim)? -am.*"), run);
        assertTrue(run.contains("javac --release 25 -d /out/probe infra/docker/HealthProbe.java"), run);

        Dockerfiles.Stage runtime = stages.getLast();
        assertTrue(runtime.image().startsWith("eclipse-temurin:25") && runtime.image().contains("-jre"), runtime.image());
        String copies = runtime.all("COPY").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining("\n"));
        assertTrue(copies.contains("/src/" + module + "/target/" + module + ".jar /app/" + module + ".jar"), copies);
        assertTrue(copies.contains("/src/" + module + "/target/libs/ /app/libs/"), copies);
        assertTrue(copies.contains("/out/probe/ /app/probe/"), copies);
        String env = runtime.all("ENV").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining(" "));
        assertTrue(env.contains("APP_JAR=/app/" + module + ".jar"), env);
        assertEquals(List.of("[\"/app/entrypoint.sh\"]"),
                runtime.all("ENTRYPOINT").stream().map(Dockerfiles.Instruction::args).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy/Dockerfile", "caddy-manager/Dockerfile", "infra/docker/foundry-sim.Dockerfile"})
    void runsAsANonRootUserWithAHealthCheck(String file) {
        Dockerfiles.Stage runtime = Dockerfiles.stages(Repo.text(file)).getLast();
        List<Dockerfiles.Instruction> users = runtime.all("USER");
        assertFalse(users.isEmpty(), file + ": no USER in the final stage");
        String user = users.getLast().args();
        String name = user.split(":")[0];
        assertFalse(name.equals("root") || name.equals("0"), file + ": runs as root");
        assertTrue(name.matches("\\d+"), file + ": a numeric uid lets orchestrators verify non-root: " + user);

        List<String> health = Dockerfiles.healthcheckCommand(Repo.text(file));
        assertEquals(List.of("java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", "/app/probe",
                "HealthProbe"), health.subList(0, 7), file);
        String check = runtime.all("HEALTHCHECK").getFirst().args();
        assertTrue(check.contains("--interval=") && check.contains("--timeout=") && check.contains("--start-period="), check);
    }

    @Test
    void proxyProbesHealthzOnItsPort() {
        List<String> cmd = Dockerfiles.healthcheckCommand(Repo.text("proxy/Dockerfile"));
        assertEquals(List.of("http", "/healthz", "PORT", "3000"), cmd.subList(7, cmd.size()));
        String text = Repo.text("proxy/Dockerfile");
        assertTrue(text.contains("EXPOSE 3000"), "proxy exposes 3000");
        assertTrue(text.contains("CONFIG_PATH=/app/data/config.json"), text);
    }

    @Test
    void caddyManagerCanBind80And443AsNonRoot() {
        String text = Repo.text("caddy-manager/Dockerfile");
        Dockerfiles.Stage runtime = Dockerfiles.stages(text).getLast();
        String run = runtime.all("RUN").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining(" "));
        assertTrue(run.contains("setcap cap_net_bind_service=+ep /usr/bin/caddy"), run);
        assertTrue(text.contains("EXPOSE 80 443"), "port 80 for ACME HTTP-01 and redirects (D47), 443 for TLS");
        String env = runtime.all("ENV").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining(" "));
        assertTrue(env.contains("CADDY_BIN=/usr/bin/caddy") && env.contains("CADDY_DATA_DIR=/app/data/caddy"), env);
        List<String> cmd = Dockerfiles.healthcheckCommand(text);
        assertEquals(List.of("caddy"), cmd.subList(7, cmd.size()));
        // setcap must come before USER: only root can set file capabilities.
        List<Dockerfiles.Instruction> ins = runtime.instructions();
        int setcap = -1;
        int user = -1;
        for (int i = 0; i < ins.size(); i++) {
            if (ins.get(i).keyword().equals("RUN") && ins.get(i).args().contains("setcap")) {
                setcap = i;
            }
            if (ins.get(i).keyword().equals("USER")) {
                user = i;
            }
        }
        assertTrue(setcap >= 0 && setcap < user, "setcap before USER");
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy/Dockerfile", "caddy-manager/Dockerfile", "infra/docker/foundry-sim.Dockerfile"})
    void bakesNoSecrets(String file) {
        for (Dockerfiles.Stage stage : Dockerfiles.stages(Repo.text(file))) {
            for (Dockerfiles.Instruction i : stage.instructions()) {
                if (i.keyword().equals("ENV") || i.keyword().equals("ARG")) {
                    assertFalse(i.args().matches("(?s).*(TOKEN|PASSWORD|SECRET|_KEY|KEYS)=.*"), file + ": " + i);
                }
                if (i.keyword().equals("COPY")) {
                    assertFalse(i.args().matches("(?s)(.*[\\s/])?(config\\.json|\\.env)(\\s.*)?"), file + ": " + i);
                }
            }
        }
    }

    @Test
    void dockerIgnoreKeepsLocalStateOutOfTheContext() {
        List<String> lines = Repo.text(".dockerignore").lines().map(String::strip).toList();
        for (String required : List.of(".git", "**/target", "tools/node_modules", ".env")) {
            assertTrue(lines.contains(required), ".dockerignore lacks " + required);
        }
    }

    @org.junit.jupiter.api.Test
    void proxyImageStartsFromAnAotCacheTrainedOnItsOwnBaseWithItsOwnFlags() {
        String text = Repo.text("proxy/Dockerfile");
        List<Dockerfiles.Stage> stages = Dockerfiles.stages(text);
        Dockerfiles.Stage runtime = stages.getLast();
        Dockerfiles.Stage aot = stages.stream().filter(s -> s.all("RUN").stream()
                .anyMatch(r -> r.args().startsWith("java ") && r.args().contains("AotTraining"))).findFirst().orElseThrow();
        assertEquals(runtime.image(), aot.image(), "the cache only works with the JVM it was made by");
        String copies = aot.all("COPY").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining("\n"));
        assertTrue(copies.contains("/src/proxy/target/proxy.jar /app/proxy.jar")
                && copies.contains("/src/proxy/target/libs/ /app/libs/"), "the same class path as the final image");
        String env = runtime.all("ENV").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining(" "));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_OPTS=\"([^\"]*)\"").matcher(env);
        assertTrue(m.find(), env);
        String opts = m.group(1);
        assertTrue(opts.contains("-XX:AOTCache=/app/proxy.aot"), opts);
        String training = aot.all("RUN").stream().map(Dockerfiles.Instruction::args).collect(Collectors.joining(" "));
        assertTrue(training.replaceAll("\\s+", " ").contains(opts.replace(" -XX:AOTCache=/app/proxy.aot", "")),
                "trained with the image's JVM flags: " + training);
        assertTrue(runtime.all("COPY").stream().anyMatch(c -> c.args().equals("--from=aot /app/proxy.aot /app/proxy.aot")));
        assertTrue(Repo.text("compose.yaml").contains("JAVA_OPTS: ${PROXY_JAVA_OPTS:-" + opts + "}"),
                "compose's default JVM flags are the image's (it replaces JAVA_OPTS)");
        assertTrue(runtime.all("COPY").stream().noneMatch(c -> c.args().contains("foundry-sim")),
                "the simulator is used for training only");
    }
}
