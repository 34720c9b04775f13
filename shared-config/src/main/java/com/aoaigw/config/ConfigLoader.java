package com.aoaigw.config;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Parses and validates config documents. Strict: an unknown key is an error naming its JSON path.
 * Thread-safe; build one and share it.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;

    /** A loader with the strict mapper. */
    public ConfigLoader() {
        this.mapper = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * Parses and validates a document.
     *
     * @param json the document
     * @return the document and its warnings
     * @throws ConfigException with every problem when it is refused
     */
    public LoadedConfig load(String json) {
        GatewayConfig config;
        try {
            config = mapper.readValue(json, GatewayConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(List.of(ConfigProblem.error(path(e),
                    "unknown key '" + e.getPropertyName() + "'; remove it or fix its spelling (known keys: "
                            + e.getKnownPropertyIds() + ")")));
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(ConfigProblem.error("$", "not valid JSON: " + e.getOriginalMessage())));
        }
        if (config == null) {
            throw new ConfigException(List.of(ConfigProblem.error("$", "the document is empty; expected a JSON object")));
        }
        List<ConfigProblem> problems = new ArrayList<>(ConfigValidator.validate(config));
        if (problems.stream().anyMatch(p -> p.severity() == ConfigProblem.Severity.ERROR)) {
            throw new ConfigException(problems);
        }
        return new LoadedConfig(config, problems);
    }

    /**
     * Serialises a document (pretty-printed; secrets as stored, i.e. values or env references).
     *
     * @param config the document
     * @return JSON text
     */
    public String write(GatewayConfig config) {
        try {
            return mapper.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise config", e);
        }
    }

    private static String path(JsonProcessingException e) {
        StringBuilder sb = new StringBuilder();
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jme) {
            for (var ref : jme.getPath()) {
                if (ref.getFieldName() != null) {
                    if (!sb.isEmpty()) {
                        sb.append('.');
                    }
                    sb.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
        }
        return sb.isEmpty() ? "$" : sb.toString();
    }
}
