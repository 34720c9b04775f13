package com.aoaigw.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses and validates config documents.
 *
 * <p>Strict, and reports everything at once: the JSON tree is first walked against the record classes, collecting
 * every unknown key (with a "did you mean" suggestion) and every value of the wrong JSON type, each with its JSON
 * path; what was reported is dropped, the rest is bound to {@link GatewayConfig} and checked by
 * {@link ConfigValidator}; one {@link ConfigException} then carries all problems. {@code env:NAME} secrets are
 * resolved through the loader's environment lookup. Thread-safe; build one and share it.
 */
public final class ConfigLoader {
    private final ObjectMapper mapper;

    /** A loader resolving {@code env:NAME} secrets from the process environment. */
    public ConfigLoader() {
        this(System::getenv);
    }

    /**
     * A loader resolving {@code env:NAME} secrets through {@code env} (tests, or an environment view other than the
     * process's).
     *
     * @param env variable lookup; returns null for an unset variable
     */
    public ConfigLoader(Function<String, String> env) {
        SimpleModule secrets = new SimpleModule("secrets");
        secrets.addDeserializer(Secret.class, new JsonDeserializer<>() {
            @Override
            public Secret deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                return Secret.of(p.getValueAsString(), env);
            }
        });
        this.mapper = new ObjectMapper()
                .registerModule(secrets)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /**
     * Parses and validates a document.
     *
     * @param json the document
     * @return the document and its warnings
     * @throws ConfigException with every problem (errors and warnings) when it is refused
     */
    public LoadedConfig load(String json) {
        List<ConfigProblem> problems = new ArrayList<>();
        GatewayConfig config = bind(json, problems);
        return validated(config, problems);
    }

    /**
     * Parses a document strictly (unknown keys and wrong types are refused) without the cross-field validation: for
     * a document whose {@link Secret#MASK}s must still be replaced by the stored values before
     * {@link #validate(GatewayConfig)}.
     *
     * @param json the document
     * @return the parsed document
     * @throws ConfigException with every shape problem
     */
    public GatewayConfig parse(String json) {
        List<ConfigProblem> problems = new ArrayList<>();
        GatewayConfig config = bind(json, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(errorsFirst(problems));
        }
        return config;
    }

    /**
     * Validates a parsed document.
     *
     * @param config the document
     * @return the document and its warnings
     * @throws ConfigException with every problem when it is refused
     */
    public LoadedConfig validate(GatewayConfig config) {
        return validated(config, new ArrayList<>());
    }

    private static LoadedConfig validated(GatewayConfig config, List<ConfigProblem> problems) {
        problems.addAll(ConfigValidator.validate(config));
        if (problems.stream().anyMatch(p -> p.severity() == ConfigProblem.Severity.ERROR)) {
            throw new ConfigException(errorsFirst(problems));
        }
        return new LoadedConfig(config, problems);
    }

    /** Errors, then warnings, each in document order: the first line of a refusal is always an error. */
    private static List<ConfigProblem> errorsFirst(List<ConfigProblem> problems) {
        List<ConfigProblem> sorted = new ArrayList<>(problems);
        sorted.sort(java.util.Comparator.comparing(ConfigProblem::severity));
        return sorted;
    }

    private GatewayConfig bind(String json, List<ConfigProblem> problems) {
        JsonNode tree;
        try {
            tree = json == null ? null : mapper.readTree(json);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(List.of(ConfigProblem.error("$", "not valid JSON" + where + ": "
                    + e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source.*$", ""))));
        }
        if (tree == null || tree.isMissingNode() || tree.isNull()) {
            throw new ConfigException(List.of(ConfigProblem.error("$", "the document is empty; expected a JSON object")));
        }
        if (!tree.isObject()) {
            throw new ConfigException(List.of(ConfigProblem.error("$", "expected a JSON object at the top level, got "
                    + tree.getNodeType().name().toLowerCase(java.util.Locale.ROOT))));
        }
        problems.addAll(new JsonShapeChecker().check((ObjectNode) tree));
        try {
            return mapper.treeToValue(tree, GatewayConfig.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            // the shape check should have caught it; report rather than crash
            problems.add(ConfigProblem.error("$", "cannot read the document: " + e.getMessage()));
            throw new ConfigException(errorsFirst(problems));
        }
    }

    /**
     * Serialises a document (pretty-printed; secrets as stored: plain values, or {@code env:NAME} references, never
     * the values behind references).
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
}
