package com.aoaigw.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginalConfigTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = OriginalConfigTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void originalSampleLoadsUnchanged() throws IOException {
        GatewayConfig c = new ConfigLoader().load(resource("original-sample-config.json")).config();
        assertEquals(3000, c.server().port());
        assertEquals("proxy.example.com", c.server().caddy().domain());
        assertEquals(45000L, c.server().caddy().transport().responseHeaderTimeoutMs());
        assertEquals(2, c.models().size());
        assertEquals("responses", c.model("gpt-5.2-codex").orElseThrow().routes().get("*"));
        assertEquals("gpt-5-mini", c.model("gpt-5-mini").orElseThrow().effectiveDeployments().get(0).deployment());
        assertEquals("/openai/v1/responses", c.upstream("foundry").orElseThrow().routes().get("responses"));
        assertTrue(c.apiKeys().get(0).active());
        // servicePrincipal without a client secret falls back to the default credential chain, as in the original
        assertInstanceOf(UpstreamAuth.DefaultCredential.class, c.auth().resolve());
        assertEquals("Secret[redacted]", c.apiKeys().get(0).key().toString());
    }
}
