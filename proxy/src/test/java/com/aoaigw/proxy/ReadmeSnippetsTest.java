package com.aoaigw.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's SDK snippets run as printed: the Python one runs with python3 (against a stand-in {@code openai}
 * module that records what it was given, so no package install is needed), and the Node one says where it runs.
 */
@Timeout(60)
class ReadmeSnippetsTest {
    private static String block(String readme, String fence) {
        int start = readme.indexOf("```" + fence + "\n");
        assertTrue(start >= 0, "no ```" + fence + " block");
        int from = start + fence.length() + 4;
        return readme.substring(from, readme.indexOf("```", from));
    }

    @Test
    void thePythonSnippetRunsAsPrinted(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        Path pkg = Files.createDirectories(dir.resolve("openai"));
        Files.writeString(pkg.resolve("__init__.py"), """
                class _Answer:
                    output_text = "stand-in answer"
                class _Responses:
                    def create(self, model, input):
                        assert model and input
                        return _Answer()
                class OpenAI:
                    def __init__(self, base_url, api_key):
                        assert base_url == "http://127.0.0.1:3000/v1", base_url
                        assert api_key == "the-key", api_key
                        self.responses = _Responses()
                """);
        Path script = dir.resolve("hello.py");
        Files.writeString(script, block(readme, "python"));
        ProcessBuilder pb = new ProcessBuilder("python3", script.toString()).redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", dir.toString());
        pb.environment().put("KEY", "the-key");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("stand-in answer", out.strip());
    }

    @Test
    void theNodeSnippetSaysWhereItRuns() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String js = block(readme, "js");
        String before = readme.substring(0, readme.indexOf("```js\n")).strip();
        String intro = before.substring(before.lastIndexOf("\n\n"));
        assertTrue(js.contains("await ") && js.startsWith("import "), "an ES module with top-level await");
        assertTrue(intro.contains(".mjs") && intro.contains("npm install openai"), intro);
    }
}
