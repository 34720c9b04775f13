import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The container health probe of the gateway images ({@code HEALTHCHECK} and compose {@code healthcheck}).
 *
 * <p>The runtime images are JRE-only (no curl, no wget, and no {@code jdk.compiler} for single-file source launch), so
 * this class is compiled in the build stage and run with {@code java -cp /app/probe HealthProbe ...}. It depends on
 * the JDK alone. Exit code 0 means healthy, 1 unhealthy, 2 a usage error.
 *
 * <ul>
 *   <li>{@code http <path> <portVariable> <defaultPort>}: {@code GET http://127.0.0.1:<port><path>} must answer 2xx
 *       within 3 s; the port is read from the named environment variable (so {@code PORT=8080} is followed).</li>
 *   <li>{@code caddy}: when the config file ({@code CONFIG_PATH}) enables {@code server.caddy}, Caddy's admin API
 *       ({@code server.caddy.adminAddress}, default {@code 127.0.0.1:2019}) must answer {@code GET /config/} with 2xx.
 *       When Caddy is disabled, or no config exists yet, there is nothing to supervise and the probe passes:
 *       caddy-manager itself is the JVM that is PID 1, so its death already ends the container.</li>
 * </ul>
 */
public final class HealthProbe {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private HealthProbe() {
    }

    /**
     * Runs the probe and exits with its result.
     *
     * @param args the mode and its arguments
     */
    public static void main(String[] args) {
        System.exit(run(args, System::getenv));
    }

    /**
     * Runs the probe.
     *
     * @param args the mode and its arguments
     * @param env  environment lookup
     * @return 0 healthy, 1 unhealthy, 2 usage error
     */
    static int run(String[] args, Function<String, String> env) {
        if (args.length == 4 && args[0].equals("http")) {
            String raw = env.apply(args[2]);
            String port = raw == null || raw.isBlank() ? args[3] : raw.trim();
            return get("http://127.0.0.1:" + port + args[1]);
        }
        if (args.length == 1 && args[0].equals("caddy")) {
            return caddy(env);
        }
        System.err.println("usage: HealthProbe http <path> <portVariable> <defaultPort> | HealthProbe caddy");
        return 2;
    }

    private static int caddy(Function<String, String> env) {
        String configPath = env.apply("CONFIG_PATH");
        Path path = Path.of(configPath == null || configPath.isBlank() ? "/app/data/config.json" : configPath);
        Object caddy;
        try {
            Object doc = new JsonReader(Files.readString(path)).document();
            caddy = member(member(doc, "server"), "caddy");
        } catch (NoSuchFileException e) {
            System.out.println("healthy: no config at " + path + " yet, Caddy not expected");
            return 0;
        } catch (IOException | IllegalArgumentException e) {
            // A config that caddy-manager cannot read either is reported by caddy-manager itself; the container stays up.
            System.out.println("healthy: config at " + path + " unreadable (" + e.getMessage() + "), Caddy not expected");
            return 0;
        }
        if (!Boolean.TRUE.equals(member(caddy, "enabled"))) {
            System.out.println("healthy: Caddy disabled in the config");
            return 0;
        }
        Object admin = member(caddy, "adminAddress");
        String address = admin instanceof String s && !s.isBlank() ? s.trim() : "127.0.0.1:2019";
        return get("http://" + address + "/config/");
    }

    private static Object member(Object object, String name) {
        return object instanceof Map<?, ?> map ? map.get(name) : null;
    }

    private static int get(String url) {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET().build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                System.out.println("healthy: GET " + url + " -> " + response.statusCode());
                return 0;
            }
            System.out.println("unhealthy: GET " + url + " -> " + response.statusCode());
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            System.out.println("unhealthy: GET " + url + " failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** A minimal JSON reader (objects, arrays, strings, numbers, literals): the probe must not need Jackson. */
    private static final class JsonReader {
        private final String text;
        private int pos;

        JsonReader(String text) {
            this.text = text;
        }

        Object document() {
            Object value = value();
            skipSpace();
            if (pos != text.length()) {
                throw error("trailing characters");
            }
            return value;
        }

        private Object value() {
            skipSpace();
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            char c = text.charAt(pos);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                skipSpace();
                if (peek() != '"') {
                    throw error("expected a member name");
                }
                String key = string();
                skipSpace();
                expect(':');
                map.put(key, value());
                skipSpace();
                char c = next();
                if (c == '}') {
                    return map;
                }
                if (c != ',') {
                    throw error("expected , or }");
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                list.add(value());
                skipSpace();
                char c = next();
                if (c == ']') {
                    return list;
                }
                if (c != ',') {
                    throw error("expected , or ]");
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = next();
                if (c == '"') {
                    return sb.toString();
                }
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                char e = next();
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'u' -> {
                        if (pos + 4 > text.length()) {
                            throw error("bad \\u escape");
                        }
                        sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> sb.append(e);
                }
            }
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, pos)) {
                throw error("unexpected token");
            }
            pos += word.length();
            return value;
        }

        private Double number() {
            int start = pos;
            while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw error("unexpected character");
            }
            return Double.valueOf(text.substring(start, pos));
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : '\0';
        }

        private char next() {
            if (pos >= text.length()) {
                throw error("unexpected end");
            }
            return text.charAt(pos++);
        }

        private void expect(char c) {
            if (next() != c) {
                throw error("expected " + c);
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("invalid JSON at offset " + pos + ": " + what);
        }
    }
}
