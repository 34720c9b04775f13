package com.aoaigw.caddy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Talks to Caddy's admin API: loads a Caddyfile ({@code POST /load}) and probes liveness ({@code GET /config/}).
 * The address is the one rendered into every Caddyfile's {@code admin} line.
 */
public final class CaddyAdminClient {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String address;
    private final URI base;
    private final ObjectMapper mapper = new ObjectMapper();

    /**
     * @param http    the process's HTTP client (HTTP/1.1: Caddy's admin API does not need h2c upgrades)
     * @param address the admin address, {@code host:port}
     */
    public CaddyAdminClient(HttpClient http, String address) {
        if (address.startsWith("unix/")) {
            throw new IllegalArgumentException("server.caddy.adminAddress '" + address
                    + "' is a unix socket; caddy-manager needs a TCP address such as 127.0.0.1:2019");
        }
        this.http = http;
        this.address = address;
        // ":2019" means every interface to Caddy; caddy-manager talks to it over loopback
        String target = address.startsWith(":") ? "127.0.0.1" + address : address;
        try {
            this.base = URI.create("http://" + target + "/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("server.caddy.adminAddress '" + address
                    + "' is not host:port; use e.g. 127.0.0.1:2019", e);
        }
    }

    /** @return the admin address, {@code host:port} */
    public String address() {
        return address;
    }

    /** @return true when the admin API answers {@code GET /config/} with 200 */
    public boolean alive() {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(base.resolve("config/"))
                    .timeout(PROBE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Loads a Caddyfile into the running Caddy. Caddy swaps the config gracefully: connections open on the old
     * config finish on it.
     *
     * @param caddyfile the Caddyfile text
     * @return the outcome
     */
    public LoadResult load(String caddyfile) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("load"))
                    .timeout(LOAD_TIMEOUT)
                    .header("Content-Type", "text/caddyfile")
                    .POST(HttpRequest.BodyPublishers.ofString(caddyfile)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200) {
                return new LoadResult.Loaded();
            }
            return new LoadResult.Refused(r.statusCode(), errorOf(r.body()));
        } catch (IOException e) {
            return new LoadResult.Unreachable("admin API at " + address + " did not answer: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new LoadResult.Unreachable("interrupted while loading the config");
        }
    }

    private String errorOf(String body) {
        try {
            JsonNode n = mapper.readTree(body);
            if (n != null && n.hasNonNull("error")) {
                return n.get("error").asText();
            }
        } catch (IOException ignored) {
            // not JSON: use the text as it is
        }
        return CaddyLogTracker.shorten(body.strip(), 500);
    }

    /** What happened to a {@code POST /load}. */
    public sealed interface LoadResult {
        /** Caddy runs the new config. */
        record Loaded() implements LoadResult {
        }

        /**
         * Caddy refused it and keeps the old config.
         *
         * @param status the HTTP status
         * @param error  Caddy's reason
         */
        record Refused(int status, String error) implements LoadResult {
        }

        /**
         * The admin API did not answer; the supervisor will restart Caddy.
         *
         * @param error what went wrong
         */
        record Unreachable(String error) implements LoadResult {
        }
    }
}
