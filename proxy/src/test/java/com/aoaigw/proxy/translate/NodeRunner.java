package com.aoaigw.proxy.translate;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Runs a Node script from the test resources with the npm tools folder, and parses the JSON it prints. */
final class NodeRunner {
    private NodeRunner() {
    }

    /**
     * @param resource the script, e.g. {@code /translate/sdk/proxy-sdk.mjs}
     * @param env      extra environment (e.g. {@code BASE_URL}); {@code TOOLS_DIR} is added
     * @return the parsed stdout
     */
    static JsonNode run(String resource, Map<String, String> env) throws Exception {
        Path tools = toolsDir();
        if (!Files.isDirectory(tools.resolve("node_modules/openai"))) {
            fail("The Node openai SDK is missing in " + tools + "; run scripts/install-tools.sh");
        }
        Path script = Files.createTempFile("translate-sdk", ".mjs");
        try (InputStream in = NodeRunner.class.getResourceAsStream(resource)) {
            Files.write(script, in.readAllBytes());
        }
        try {
            ProcessBuilder builder = new ProcessBuilder("node", script.toString());
            builder.environment().putAll(env);
            builder.environment().put("TOOLS_DIR", tools.toString());
            builder.redirectError(ProcessBuilder.Redirect.PIPE);
            Process process;
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new AssertionError("node is not on PATH; install Node.js 20+ (scripts/install-tools.sh)", e);
            }
            byte[] stdout;
            try (InputStream in = process.getInputStream()) {
                stdout = in.readAllBytes();
            }
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("node did not finish in 90 s");
            }
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "node failed: " + stderr);
            return new ObjectMapper().readTree(stdout);
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private static Path toolsDir() {
        String configured = System.getProperty("tools.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("scripts/install-tools.sh"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new AssertionError("cannot find the repository root (scripts/install-tools.sh) above the working dir");
        }
        return dir.resolve("tools");
    }
}
