package com.aoaigw.proxy.route;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(5)
class ModelFamilyTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "gpt-5, GPT_5",
            "gpt-5-mini, GPT_5",
            "GPT-5.2-Codex, GPT_5",
            "gpt-5.1, GPT_5",
            "gpt-10, GPT_5",
            "prod-gpt-5-nano, GPT_5",
            "o1, O_SERIES",
            "o3-mini, O_SERIES",
            "o4-mini-2025-04-16, O_SERIES",
            "team-o3, O_SERIES",
            "codex-mini, O_SERIES",
            "o1preview, OTHER",
            "gpt-4o, GPT_4O",
            "gpt-4o-mini, GPT_4O",
            "chatgpt-4o-latest, GPT_4O",
            "gpt-4.1, GPT_4_1",
            "gpt-4.1-nano, GPT_4_1",
            "gpt-4, GPT_4",
            "gpt-4-turbo, GPT_4",
            "gpt-4-32k, GPT_4",
            "gpt-35-turbo, GPT_35",
            "gpt-3.5-turbo, GPT_35",
            "text-embedding-3-large, EMBEDDING",
            "text-embedding-ada-002, EMBEDDING",
            "my-embedding-model, EMBEDDING",
            "dall-e-3, IMAGE",
            "gpt-image-1, IMAGE",
            "gpt-oss-120b, OTHER",
            "prod-chat, OTHER",
            "gpt-40, GPT_5",
            "DeepSeek-R1, OTHER",
    })
    void detectsFamilyFromDeploymentName(String deployment, ModelFamily expected) {
        assertEquals(expected, ModelFamily.detect(deployment));
    }

    @Test
    void configuredFamilyWinsOverTheName() {
        assertEquals(ModelFamily.O_SERIES, ModelFamily.of("o-series", "prod-chat"));
        assertEquals(ModelFamily.GPT_4_1, ModelFamily.of(" GPT-4.1 ", "gpt-5"));
        assertEquals(ModelFamily.GPT_5, ModelFamily.of("", "gpt-5-mini"));
        assertEquals(ModelFamily.OTHER, ModelFamily.of(null, null));
    }

    @Test
    void unknownConfiguredFamilyIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ModelFamily.of("gpt-9000", "x"));
        assertEquals(true, e.getMessage().contains("gpt-9000"));
    }

    @Test
    void familyNamesAreExactlyTheOnesTheConfigValidatorAccepts() {
        assertEquals(com.aoaigw.config.ConfigValidator.FAMILIES,
                java.util.Arrays.stream(ModelFamily.values()).map(ModelFamily::configName).toList());
    }

    @Test
    void everyFamilyHasARoundTrippingConfigName() {
        for (ModelFamily family : ModelFamily.values()) {
            assertEquals(family, ModelFamily.fromConfigName(family.configName()).orElseThrow());
        }
    }
}
