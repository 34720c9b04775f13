package com.aoaigw.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * azure-identity (the library the proxy uses) gets tokens from the simulator: ClientSecretCredential over HTTPS with
 * the generated trust store, and ManagedIdentityCredential through the App Service endpoint. Each runs in a child
 * JVM ({@link IdentityProbe}); the token it prints must then work on the data plane.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AzureIdentityIT extends RunningSim {
    private String probe(Map<String, String> env, String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(),
                "-Djavax.net.ssl.trustStore=" + sim.trustStore(),
                "-Djavax.net.ssl.trustStorePassword=" + sim.trustStorePassword(),
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-cp", System.getProperty("java.class.path"), IdentityProbe.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("IDENTITY_") || k.startsWith("MSI_")
                || k.startsWith("AZURE_") || k.equals("IMDS_ENDPOINT"));
        pb.environment().putAll(env);
        Process p = Watchdog.killAfter(pb.start(), 90);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe finished");
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        String line = text.lines().filter(l -> l.startsWith("TOKEN ")).findFirst()
                .orElseThrow(() -> new AssertionError("no token printed: " + text));
        return line.split(" ")[1];
    }

    private void assertTokenWorks(String token) throws Exception {
        assertEquals(200, http.post("/openai/v1/chat/completions", "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":"
                + "\"user\",\"content\":\"hi\"}]}", "Authorization", "Bearer " + token).statusCode());
    }

    @Test
    void clientSecretCredential() throws Exception {
        long before = sim.stats().tokenRequests();
        String token = probe(Map.of(), "secret", sim.authorityUrl(), "sim-tenant", "sim-client", "sim-secret");
        assertTokenWorks(token);
        assertTrue(sim.stats().tokenRequests() > before);
    }

    @Test
    void managedIdentityCredential() throws Exception {
        String token = probe(Map.of("IDENTITY_ENDPOINT", sim.managedIdentityEndpoint(),
                "IDENTITY_HEADER", sim.identityHeader()), "mi");
        assertTokenWorks(token);
        assertTrue(sim.tokenRequests().stream().anyMatch(r -> r.path().equals("/msi/token")
                && r.query().contains("resource=https")));
    }
}
