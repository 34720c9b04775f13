package com.aoaigw.proxy.reliability;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.aoaigw.proxy.reliability.Rig.Timed;
import com.aoaigw.sim.DeploymentSettings;
import com.aoaigw.sim.FoundrySim;
import com.aoaigw.sim.RecordedRequest;
import com.aoaigw.sim.SimSettings;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Secrets never leave the proxy: a child-process proxy (log level DEBUG) configured with distinctive secrets
 * (client keys, upstream api-keys, Entra client secrets, the admin password, CADDY_MANAGER_TOKEN) is driven
 * through every endpoint and error path (data plane success and failures, upstream faults, auth failures, the
 * whole admin API, the caddy-manager endpoint); then every response (status line, headers, body) and everything
 * the process printed (stdout and stderr: JUL/System.Logger output and the access log) is searched for every
 * secret, and for the access tokens the simulator issued: zero hits.
 */
@Timeout(170)
class SecretLeakIT {
    static final String CLIENT_KEY_ONE = "LEAK-CLIENT-KEY-ONE-4c2e1d";
    static final String CLIENT_KEY_TWO = "LEAK-CLIENT-KEY-TWO-99ab3f";
    static final String UPSTREAM_KEY = "LEAK-UPSTREAM-APIKEY-7f3a9c";
    static final String WRONG_UPSTREAM_KEY = "LEAK-WRONG-UPSTREAM-KEY-3a1f7e";
    static final String CLIENT_SECRET = "LEAK-CLIENT-SECRET-b81d2e";
    static final String WRONG_CLIENT_SECRET = "LEAK-WRONG-CLIENT-SECRET-5a0f9d";
    static final String ADMIN_PASSWORD = "LEAK-ADMIN-PASSWORD-e5f1c0";
    static final String CADDY_TOKEN = "LEAK-CADDY-TOKEN-0d7c44";

    @TempDir
    Path dir;

    private final StringBuilder seen = new StringBuilder();
    private ChildProxy proxy;

    private Timed record(String what, Timed t) {
        HttpResponse<String> r = t.response();
        seen.append("\n=== ").append(what).append(" -> ").append(r.statusCode()).append('\n');
        r.headers().map().forEach((k, v) -> seen.append(k).append(": ").append(String.join(", ", v)).append('\n'));
        seen.append(r.body()).append('\n');
        return t;
    }

    private Timed call(String method, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(proxy.base() + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return record(method + " " + path, Rig.send(b.build()));
    }

    private Timed chat(String key, String model, boolean stream, String... headers) {
        String[] h = new String[headers.length + 2];
        h[0] = "authorization";
        h[1] = "Bearer " + key;
        System.arraycopy(headers, 0, h, 2, headers.length);
        return call("POST", "/v1/chat/completions", Rig.chat(model, stream), h);
    }

    @Test
    void noSecretInAnyResponseOrLogLine() throws Exception {
        try (FoundrySim sim = FoundrySim.start(SimSettings.builder().apiKeys(UPSTREAM_KEY).clientSecret(CLIENT_SECRET)
                .defaultDeployment(DeploymentSettings.zeroLatency()).strictDeployments(false).build())) {
            Path config = dir.resolve("config.json");
            String entra = "\"auth\":{\"mode\":\"servicePrincipal\",\"tenantId\":\"sim-tenant\",\"clientId\":\"sim-client\","
                    + "\"clientSecret\":\"%s\",\"authorityHost\":\"" + sim.authorityUrl() + "\"}";
            Files.writeString(config, """
                    {"server":{"adminAuth":{"username":"operator","password":"%s"},
                       "upstream":{"maxRetries":1,"retryBaseMs":50,"retryMaxMs":100,"firstByteTimeoutMs":1500,
                         "idleTimeoutMs":1000}},
                     "auth":{"mode":"apiKey","apiKey":"%s"},
                     "apiKeys":[{"id":"one","key":"%s"},{"id":"two","key":"%s","models":["gpt-4o-mini"]}],
                     "upstreams":[{"name":"sim","baseUrl":"%s"},
                       {"name":"entra","baseUrl":"%s",%s},
                       {"name":"badsecret","baseUrl":"%s",%s},
                       {"name":"badkey","baseUrl":"%s","auth":{"mode":"apiKey","apiKey":"%s"}}],
                     "models":[{"id":"gpt-4o-mini","upstream":"sim"},
                       {"id":"other-model","upstream":"sim","targetModel":"gpt-4o-mini"},
                       {"id":"entra-model","upstream":"entra","targetModel":"gpt-4o-mini"},
                       {"id":"badsecret-model","upstream":"badsecret","targetModel":"gpt-4o-mini"},
                       {"id":"badkey-model","upstream":"badkey","targetModel":"gpt-4o-mini"},
                       {"id":"emb","upstream":"sim","targetModel":"text-embedding-3-small"}]}
                    """.formatted(ADMIN_PASSWORD, UPSTREAM_KEY, CLIENT_KEY_ONE, CLIENT_KEY_TWO, sim.baseUrl(),
                    sim.baseUrl(), entra.formatted(CLIENT_SECRET), sim.baseUrl(), entra.formatted(WRONG_CLIENT_SECRET),
                    sim.baseUrl(), WRONG_UPSTREAM_KEY));
            proxy = ChildProxy.start(Map.of("CONFIG_PATH", config.toString(), "PORT", "0", "HOST", "127.0.0.1",
                            "LOG_LEVEL", "DEBUG", "CADDY_MANAGER_TOKEN", CADDY_TOKEN,
                            "UPSTREAM_FORWARD_HEADERS", "x-sim-*"),
                    List.of("-Djavax.net.ssl.trustStore=" + sim.trustStore(),
                            "-Djavax.net.ssl.trustStorePassword=" + sim.trustStorePassword(),
                            "-Djavax.net.ssl.trustStoreType=PKCS12"));
            try {
                drive();
            } finally {
                proxy.close();
            }
            Set<String> secrets = new LinkedHashSet<>(List.of(CLIENT_KEY_ONE, CLIENT_KEY_TWO, UPSTREAM_KEY,
                    WRONG_UPSTREAM_KEY, CLIENT_SECRET, WRONG_CLIENT_SECRET, ADMIN_PASSWORD, CADDY_TOKEN));
            int tokens = 0;
            for (RecordedRequest r : sim.requests()) {
                for (var e : r.headers().entrySet()) {
                    if (e.getKey().equalsIgnoreCase("authorization")) {
                        for (String v : e.getValue()) {
                            if (v.startsWith("Bearer ") && !v.contains("LEAK-")) {
                                secrets.add(v.substring(7)); // an access token the authority issued
                                tokens++;
                            }
                        }
                    }
                }
            }
            assertTrue(tokens > 0, "the Entra upstream was used, so issued tokens are searched too");
            // positive control: the search finds a secret where it must be (what the proxy sent to Azure)
            assertFalse(find("upstream", sim.requests().toString(), UPSTREAM_KEY).isEmpty(),
                    "the upstream api-key was used (and the search works)");
            String output = proxy.output();
            assertTrue(output.contains("proxy listening"), "the child's log was captured");
            assertTrue(output.lines().count() > 20, "DEBUG logging produced output: " + output.lines().count());
            List<String> hits = new ArrayList<>();
            for (String s : secrets) {
                hits.addAll(find("response", seen.toString(), s));
                hits.addAll(find("log", output, s));
            }
            assertEquals(List.of(), hits, "secrets leaked");
        }
    }

    private static List<String> find(String where, String text, String secret) {
        List<String> out = new ArrayList<>();
        int i = text.indexOf(secret);
        while (i >= 0 && out.size() < 5) {
            int from = Math.max(0, i - 160);
            out.add(where + " contains " + secret.substring(0, Math.min(12, secret.length())) + "...: "
                    + text.substring(from, Math.min(text.length(), i + secret.length() + 40)).replace(secret, "<SECRET>"));
            i = text.indexOf(secret, i + 1);
        }
        return out;
    }

    private void drive() {
        // data plane: successes
        assertEquals(200, call("GET", "/healthz", null).status());
        call("GET", "/metrics", null);
        assertEquals(200, call("GET", "/v1/models", null, "authorization", "Bearer " + CLIENT_KEY_ONE).status());
        call("GET", "/v1/models", null, "api-key", CLIENT_KEY_TWO);
        assertEquals(200, chat(CLIENT_KEY_ONE, "gpt-4o-mini", false).status());
        assertEquals(200, chat(CLIENT_KEY_TWO, "gpt-4o-mini", true).status());
        call("POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\"}", "authorization",
                "Bearer " + CLIENT_KEY_ONE);
        call("POST", "/v1/responses", "{\"model\":\"gpt-4o-mini\",\"input\":\"hi\",\"stream\":true}", "authorization",
                "Bearer " + CLIENT_KEY_ONE);
        call("POST", "/v1/embeddings", "{\"model\":\"emb\",\"input\":\"hi\"}", "authorization", "Bearer " + CLIENT_KEY_ONE);
        call("POST", "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
                Rig.chat("gpt-4o-mini", false), "api-key", CLIENT_KEY_ONE);
        Timed entra = chat(CLIENT_KEY_ONE, "entra-model", false);
        assertEquals(200, entra.status(), entra.body());
        chat(CLIENT_KEY_ONE, "entra-model", true);
        // data plane: every error path
        chat(CLIENT_KEY_TWO, "other-model", false);                 // model not allowed for this key
        chat(CLIENT_KEY_ONE, "no-such-model", false);                // unknown model
        chat("sk-not-a-key", "gpt-4o-mini", false);                  // wrong key
        call("POST", "/v1/chat/completions", Rig.chat("gpt-4o-mini", false)); // no key
        call("POST", "/v1/chat/completions", "{\"model\":", "authorization", "Bearer " + CLIENT_KEY_ONE);
        call("POST", "/v1/chat/completions", "hello", "authorization", "Bearer " + CLIENT_KEY_ONE, "content-type",
                "text/plain");
        Timed bad = chat(CLIENT_KEY_ONE, "badsecret-model", false);  // Entra refuses the client secret
        assertEquals(502, bad.status(), bad.body());
        Timed refused = chat(CLIENT_KEY_ONE, "badkey-model", false); // Azure refuses the api-key
        assertEquals(401, refused.status(), refused.body());
        for (String fault : List.of("500", "429", "content-filter", "slow-headers", "stall-mid-stream",
                "reset-mid-stream", "disconnect-before-headers", "stall-before-first-event")) {
            chat(CLIENT_KEY_ONE, "gpt-4o-mini", true, "x-sim-fault", fault, "x-sim-delay-ms", "2500",
                    "x-sim-retry-after-ms", "50");
            chat(CLIENT_KEY_ONE, "entra-model", false, "x-sim-fault", fault, "x-sim-delay-ms", "2500",
                    "x-sim-retry-after-ms", "50");
        }
        call("DELETE", "/v1/chat/completions", null, "authorization", "Bearer " + CLIENT_KEY_ONE);
        call("GET", "/v1/nope", null, "authorization", "Bearer " + CLIENT_KEY_ONE);

        // admin API
        String basic = "Basic " + Base64.getEncoder().encodeToString(("operator:" + ADMIN_PASSWORD)
                .getBytes(StandardCharsets.UTF_8));
        call("GET", "/admin/", null);
        call("GET", "/admin/api/config", null);
        call("POST", "/admin/api/login", "{\"username\":\"operator\",\"password\":\"wrong-password\"}");
        call("GET", "/admin/api/config", null, "authorization", "Bearer " + CLIENT_KEY_ONE);
        Timed login = call("POST", "/admin/api/login", "{\"username\":\"operator\",\"password\":\"" + ADMIN_PASSWORD
                + "\"}");
        assertEquals(200, login.status(), login.body());
        String cookie = login.response().headers().firstValue("set-cookie").orElseThrow().split(";")[0];
        String csrf = Rig.openJson(login.body()).path("csrfToken").asText();
        call("GET", "/admin/api/session", null, "cookie", cookie);
        Timed cfg = call("GET", "/admin/api/config", null, "cookie", cookie);
        assertEquals(200, cfg.status(), cfg.body());
        JsonNode doc = Rig.openJson(cfg.body());
        String masked = doc.path("config").toString();
        call("POST", "/admin/api/config/validate", masked, "cookie", cookie, "x-csrf-token", csrf);
        call("POST", "/admin/api/config/diff", masked, "cookie", cookie, "x-csrf-token", csrf);
        Timed put = call("PUT", "/admin/api/config", masked, "cookie", cookie, "x-csrf-token", csrf, "if-match",
                "\"" + doc.path("etag").asText() + "\"");
        assertEquals(200, put.status(), put.body());
        call("PUT", "/admin/api/config", "{\"apiKeys\":[]}", "cookie", cookie, "x-csrf-token", csrf, "if-match",
                "\"stale\"");
        for (String p : List.of("/admin/api/keys", "/admin/api/stats", "/admin/api/logs", "/admin/api/runtime",
                "/admin/api/tls")) {
            assertEquals(200, call("GET", p, null, "cookie", cookie).status(), p);
        }
        for (String u : List.of("sim", "entra", "badsecret", "badkey")) {
            call("POST", "/admin/api/upstreams/" + u + "/verify", "{}", "cookie", cookie, "x-csrf-token", csrf);
        }
        call("POST", "/admin/api/tls/preview", masked, "cookie", cookie, "x-csrf-token", csrf);
        call("POST", "/admin/api/reload", "{}", "cookie", cookie, "x-csrf-token", csrf);
        call("GET", "/admin/api/config", null, "authorization", basic);
        call("POST", "/admin/api/logout", "{}", "cookie", cookie, "x-csrf-token", csrf);

        // caddy-manager endpoint
        String report = "{\"reportedAt\":\"2026-01-01T00:00:00Z\",\"enabled\":false}";
        call("POST", "/internal/caddy/report", report, "authorization", "Bearer wrong-token");
        Timed ok = call("POST", "/internal/caddy/report", report, "authorization", "Bearer " + CADDY_TOKEN);
        assertEquals(204, ok.status(), ok.body());
        call("GET", "/admin/api/tls", null, "authorization", basic);
        assertFalse(seen.isEmpty());
    }
}
