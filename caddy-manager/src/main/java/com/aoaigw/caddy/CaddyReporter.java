package com.aoaigw.caddy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import com.aoaigw.config.Secret;
import com.aoaigw.config.TlsReport;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

/**
 * Sends {@link TlsReport}s to the proxy ({@code POST ${PROXY_ADMIN_URL}/internal/caddy/report}, bearer
 * {@code CADDY_MANAGER_TOKEN}). A failed send is logged and left to the next tick; it is never fatal.
 */
public final class CaddyReporter {
    private static final System.Logger LOG = System.getLogger(CaddyReporter.class.getName());
    /** The proxy's endpoint for reports, relative to {@code PROXY_ADMIN_URL}. */
    public static final String PATH = "/internal/caddy/report";

    private final HttpClient http;
    private final URI endpoint;
    private final Secret token;
    private final ObjectMapper mapper;
    private volatile boolean failing;

    /**
     * @param http          the process's HTTP client
     * @param proxyAdminUrl the proxy's base URL, e.g. {@code http://127.0.0.1:3000}
     * @param token         the shared secret
     */
    public CaddyReporter(HttpClient http, URI proxyAdminUrl, Secret token) {
        this.http = http;
        String base = proxyAdminUrl.toString().replaceAll("/+$", "");
        this.endpoint = URI.create(base + PATH);
        this.token = token;
        this.mapper = mapper();
    }

    /**
     * @return a mapper that writes reports as the proxy reads them: camelCase keys, instants as ISO-8601 text
     */
    public static ObjectMapper mapper() {
        SimpleModule instants = new SimpleModule("instants");
        instants.addSerializer(Instant.class, new JsonSerializer<>() {
            @Override
            public void serialize(Instant value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                gen.writeString(value.toString());
            }
        });
        return new ObjectMapper().registerModule(instants);
    }

    /**
     * @param report a report
     * @return its JSON
     */
    public String json(TlsReport report) {
        try {
            return mapper.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @param report the report
     * @return true when the proxy accepted it (2xx)
     */
    public boolean send(TlsReport report) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json(report)));
            if (!token.isEmpty()) {
                b.header("Authorization", "Bearer " + token.reveal());
            }
            HttpResponse<Void> r = http.send(b.build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() / 100 == 2) {
                if (failing) {
                    LOG.log(System.Logger.Level.INFO, "reports to " + endpoint + " are accepted again");
                }
                failing = false;
                return true;
            }
            fail("the proxy answered " + r.statusCode());
        } catch (IOException e) {
            fail(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    private void fail(String why) {
        // once per streak at WARNING, so a proxy that is down does not flood the log every tick
        LOG.log(failing ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                "cannot report to " + endpoint + ": " + why + "; retrying on the next tick");
        failing = true;
    }
}
