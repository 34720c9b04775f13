package com.aoaigw.config;

/** Small valid and invalid documents for store tests. */
final class TestDocs {
    private TestDocs() {
    }

    /**
     * @param modelId a marker that makes the document unique
     * @return a valid document whose only model is {@code modelId}
     */
    static String valid(String modelId) {
        return """
                {
                  "apiKeys": [{"id": "team", "key": "k-0123456789abcdef"}],
                  "upstreams": [{"name": "u", "baseUrl": "https://u.example/"}],
                  "models": [{"id": "%s", "upstream": "u"}]
                }
                """.formatted(modelId);
    }

    /** @return valid JSON that the validator refuses (a model names a missing upstream) */
    static String invalid() {
        return """
                {
                  "apiKeys": [{"id": "team", "key": "k-0123456789abcdef"}],
                  "upstreams": [{"name": "u", "baseUrl": "https://u.example/"}],
                  "models": [{"id": "broken", "upstream": "missing"}]
                }
                """;
    }
}
