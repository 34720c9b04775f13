package com.aoaigw.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** scripts/find-jdk.sh: one statement about the JDK everywhere (JDK 25), run on stand-in JDK directories. */
@Timeout(30)
class FindJdkTest {
    @TempDir
    Path tmp;

    private Path fakeJdk(String name, String version) throws IOException {
        Path home = tmp.resolve("jvm").resolve(name);
        Path bin = Files.createDirectories(home.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path p = bin.resolve(tool);
            Files.writeString(p, "#!/bin/sh\necho 'openjdk version \"" + version + "\"' >&2\n");
            assertTrue(p.toFile().setExecutable(true));
        }
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    private Repo.Run findJdk(Path javaHome) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", javaHome == null ? null : javaHome.toString());
        env.put("JDK_ROOTS", tmp.resolve("jvm").toString());
        env.put("HOME", tmp.toString());
        env.put("PATH", "/usr/bin:/bin"); // a javac on the PATH that is not 25 must not be chosen either
        return Repo.run(env, List.of("bash", Repo.path("scripts/find-jdk.sh").toString()));
    }

    @Test
    void aJdk21IsRefusedWithTheVersionAndHowToGetIt() throws IOException {
        Path jdk21 = fakeJdk("jdk-21", "21.0.5");
        Repo.Run run = findJdk(jdk21);
        assertEquals(1, run.exitCode(), run.all());
        assertTrue(run.stderr().contains("no JDK 25 or newer found") && run.stderr().contains("built for Java 25"),
                run.all());
        assertTrue(run.stderr().contains("temurin-25-jdk") && run.stderr().contains("adoptium.net"), run.all());
    }

    @Test
    void theNewestJdk25OrLaterIsChosenWhenJavaHomeIsTooOld() throws IOException {
        Path jdk21 = fakeJdk("jdk-21", "21.0.5");
        fakeJdk("jdk-25", "25.0.1");
        Path jdk26 = fakeJdk("jdk-26", "26");
        Repo.Run run = findJdk(jdk21);
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(jdk26.toString(), run.stdout().strip());
    }

    @Test
    void aSuitableJavaHomeWins() throws IOException {
        Path jdk25 = fakeJdk("jdk-25", "25.0.1");
        fakeJdk("jdk-26", "26");
        Repo.Run run = findJdk(jdk25);
        assertEquals(0, run.exitCode(), run.all());
        assertEquals(jdk25.toString(), run.stdout().strip());
    }

    @Test
    void theReadmeAndTheBuildSayTheSameVersion() {
        assertTrue(Repo.text("pom.xml").contains("<maven.compiler.release>25</maven.compiler.release>"));
        assertTrue(Repo.text("scripts/find-jdk.sh").contains("MIN=25"));
        String readme = Repo.text("README.md");
        assertTrue(readme.contains("**JDK 25**"), "README quickstart names JDK 25");
        assertTrue(!readme.contains("JDK 21 or newer") && !readme.contains("(21 or newer)"), "no stale JDK 21 promise");
    }
}
