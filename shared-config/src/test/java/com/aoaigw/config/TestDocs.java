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

    /**
     * @param n a count
     * @return a valid document holding the count (as its model id)
     */
    static String counter(int n) {
        return valid("n-" + n);
    }

    /**
     * @param json a {@link #counter(int)} document
     * @return its count
     */
    static int counterOf(String json) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"id\": \"n-(\\d+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("not a counter document: " + json);
        }
        return Integer.parseInt(m.group(1));
    }
}
