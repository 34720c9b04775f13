package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fake Entra authority over HTTPS and the managed-identity endpoints, and their tokens on the data plane. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TokenEndpointsIT extends RunningSim {
    private static final String CHAT_BODY = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private HttpClient tlsClient;

    /** Token issue and expiry run on this clock: {@link #tokensExpire} moves it instead of sleeping. */
    private final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Override
    protected SimSettings settings() {
        return SimSettings.builder().tokenLifetimeSeconds(2).build();
    }

    @Override
    protected Clock clock() {
        return clock;
    }

    @BeforeAll
    void trustTheSim() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(sim.trustStore())) {
            trust.load(in, sim.trustStorePassword().toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        tlsClient = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @BeforeEach
    void clear() {
        sim.clearRequests();
    }

    private HttpResponse<String> token(String tenant, String clientId, String secret) throws Exception {
        String form = "grant_type=client_credentials&client_info=1&scope="
                + URLEncoder.encode("openid profile offline_access https://cognitiveservices.azure.com/.default",
                        StandardCharsets.UTF_8)
                + "&client_id=" + clientId + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8);
        return tlsClient.send(HttpRequest.newBuilder(URI.create(sim.authorityUrl() + "/" + tenant
                        + "/oauth2/v2.0/token"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void clientCredentialsOverHttpsGiveAUsableToken() throws Exception {
        assertTrue(sim.authorityUrl().startsWith("https://127.0.0.1:"));
        HttpResponse<String> r = token("sim-tenant", "sim-client", "sim-secret");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = SimHttp.json(r.body());
        assertEquals("Bearer", j.path("token_type").asText());
        assertEquals(2, j.path("expires_in").asInt());
        assertTrue(j.has("ext_expires_in"));
        String token = j.path("access_token").asText();
        assertFalse(token.isEmpty());

        assertEquals(200, http.post("/openai/v1/chat/completions", CHAT_BODY, "Authorization", "Bearer " + token)
                .statusCode());
        assertEquals(1, sim.stats().tokenRequests());
        String recorded = sim.tokenRequests().getFirst().body();
        assertFalse(recorded.contains("sim-secret"), recorded);
        assertTrue(recorded.contains("client_id=sim-client"), recorded);

        sim.revokeTokens();
        HttpResponse<String> revoked = http.post("/openai/v1/chat/completions", CHAT_BODY, "Authorization",
                "Bearer " + token);
        assertEquals(401, revoked.statusCode());
        assertEquals("401", SimHttp.json(revoked.body()).path("error").path("code").asText());
    }

    @Test
    void tokensExpire() throws Exception {
        String token = SimHttp.json(token("sim-tenant", "sim-client", "sim-secret").body()).path("access_token")
                .asText();
        assertEquals(200, http.post("/openai/v1/chat/completions", CHAT_BODY, "Authorization", "Bearer " + token)
                .statusCode());
        clock.advance(Duration.ofMillis(1999));
        assertEquals(200, http.post("/openai/v1/chat/completions", CHAT_BODY, "Authorization", "Bearer " + token)
                .statusCode(), "still valid just before its lifetime ends");
        clock.advance(Duration.ofMillis(1));
        assertEquals(401, http.post("/openai/v1/chat/completions", CHAT_BODY, "Authorization", "Bearer " + token)
                .statusCode(), "expired at issue + tokenLifetimeSeconds");
    }

    @Test
    void wrongCredentialsAreRejected() throws Exception {
        HttpResponse<String> secret = token("sim-tenant", "sim-client", "nope");
        assertEquals(401, secret.statusCode());
        assertEquals("invalid_client", SimHttp.json(secret.body()).path("error").asText());
        assertEquals(400, token("sim-tenant", "other-client", "sim-secret").statusCode());
        assertEquals(400, token("other-tenant", "sim-client", "sim-secret").statusCode());
    }

    @Test
    void unexpectedAuthorityCallsAreRecorded() throws Exception {
        HttpResponse<String> r = tlsClient.send(HttpRequest.newBuilder(URI.create(sim.authorityUrl()
                        + "/sim-tenant/oauth2/v2.0/devicecode"))
                .POST(HttpRequest.BodyPublishers.ofString("client_id=x")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, r.statusCode());
        RecordedRequest rec = sim.tokenRequests().getLast();
        assertEquals("/sim-tenant/oauth2/v2.0/devicecode", rec.path());
        assertEquals("client_id=x", rec.body());
    }

    @Test
    void untrustedClientsCannotConnect() {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThrows(java.io.IOException.class, () -> plain.send(HttpRequest.newBuilder(URI.create(
                sim.authorityUrl() + "/sim-tenant/oauth2/v2.0/token")).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void appServiceManagedIdentity() throws Exception {
        String path = URI.create(sim.managedIdentityEndpoint()).getPath()
                + "?api-version=2019-08-01&resource=https%3A%2F%2Fcognitiveservices.azure.com&client_id=mi-1";
        HttpResponse<String> r = http.get(path, "X-IDENTITY-HEADER", sim.identityHeader());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = SimHttp.json(r.body());
        assertEquals("Bearer", j.path("token_type").asText());
        assertEquals("https://cognitiveservices.azure.com", j.path("resource").asText());
        assertEquals("mi-1", j.path("client_id").asText());
        long expiresOn = Long.parseLong(j.path("expires_on").asText());
        assertEquals(clock.instant().getEpochSecond() + 2, expiresOn,
                "issue time on the sim's clock + the lifetime: " + r.body());
        assertEquals(200, http.post("/openai/v1/chat/completions", CHAT_BODY, "Authorization", "Bearer "
                + j.path("access_token").asText()).statusCode());

        assertEquals(401, http.get(path, "X-IDENTITY-HEADER", "wrong").statusCode());
        assertEquals(401, http.get(path).statusCode());
        assertEquals(3, sim.stats().tokenRequests());
    }

    @Test
    void imdsManagedIdentity() throws Exception {
        String path = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fai.azure.com";
        HttpResponse<String> r = http.get(path, "Metadata", "true");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("https://ai.azure.com", SimHttp.json(r.body()).path("resource").asText());
        assertTrue(SimHttp.json(r.body()).has("expires_in"));
        assertEquals(400, http.get(path).statusCode());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", sim.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /" + path + " HTTP/1.1\r\nHost: x\r\nMetadata: true\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertEquals("HTTP/1.1 200", head, "the IMDS path with a leading double slash, as some clients send it");
        }
    }
}
