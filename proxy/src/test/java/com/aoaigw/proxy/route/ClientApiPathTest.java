package com.aoaigw.proxy.route;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientApiPathTest {
    @ParameterizedTest
    @ValueSource(strings = {"/openai", "/openai/", "/openai/v1/chat/completions", "/openai/deployments/m/embeddings",
            "/v1", "/v1/", "/v1/models"})
    void clientApiPaths(String path) {
        assertTrue(ClientApiPath.matches(path), path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "", "/openaiv1", "/openai-x", "/v1x", "/v10/models", "/admin/api/config", "/healthz",
            "/metrics", "/internal/caddy/report", "/OPENAI"})
    void otherPaths(String path) {
        assertFalse(ClientApiPath.matches(path), path);
    }

    @org.junit.jupiter.api.Test
    void noPathIsNotAnApiPath() {
        assertFalse(ClientApiPath.matches(null));
    }
}
