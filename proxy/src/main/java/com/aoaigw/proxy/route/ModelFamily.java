package com.aoaigw.proxy.route;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The model family of a deployment: it decides which normalisation rules apply and which reasoning efforts are
 * accepted.
 *
 * <p>The family comes from {@code models[].family} in the config; when that is empty it is guessed from the
 * deployment name ({@link #detect(String)}). Detection looks for the family's name as a token anywhere in the
 * deployment name (so {@code prod-gpt-5-mini} is gpt-5), because Azure deployment names are chosen by users. Set
 * {@code family} explicitly for names that say nothing (e.g. {@code prod-chat}).
 */
public enum ModelFamily {
    /** gpt-5, gpt-5-mini, gpt-5.1, gpt-5.2-codex, ... and later numbered generations: reasoning models. */
    GPT_5("gpt-5", List.of("none", "minimal", "low", "medium", "high", "xhigh"), true, true),
    /** o1, o3, o3-mini, o4-mini, codex-mini: reasoning models without {@code minimal}, {@code none}, {@code xhigh}. */
    O_SERIES("o-series", List.of("low", "medium", "high"), true, false),
    /** gpt-4o, gpt-4o-mini: no reasoning. */
    GPT_4O("gpt-4o", List.of(), false, false),
    /** gpt-4.1, gpt-4.1-mini, gpt-4.1-nano: no reasoning. */
    GPT_4_1("gpt-4.1", List.of(), false, false),
    /** gpt-4, gpt-4-turbo, gpt-4-32k: no reasoning. */
    GPT_4("gpt-4", List.of(), false, false),
    /** gpt-35-turbo: no reasoning. */
    GPT_35("gpt-35", List.of(), false, false),
    /** text-embedding-*: not a chat model; no rule applies. */
    EMBEDDING("embedding", List.of(), false, false),
    /** dall-e-*, gpt-image-*: not a chat model; no rule applies. */
    IMAGE("image", List.of(), false, false),
    /**
     * Anything else (gpt-oss, partner models such as DeepSeek or Llama, unknown names): nothing is known about what
     * it accepts (partner models on Foundry take e.g. {@code top_k}), so no rule applies and a same-API request
     * passes byte for byte. Set {@code family} in the config to opt a deployment into a family's rules.
     */
    OTHER("other", List.of(), false, false);

    private static final String START = "(?<![a-z0-9])";
    private static final String END = "(?![a-z0-9])";
    private static final Pattern GPT_5_PLUS = Pattern.compile(START + "gpt-([5-9]|[1-9][0-9]+)(?=$|[.\\-_])");
    private static final Pattern O_SERIES_NAME = Pattern.compile(START + "(o[1-9](?=$|[.\\-_])|codex-mini)");
    private static final Pattern GPT_4O_NAME = Pattern.compile(START + "(chat)?gpt-4o" + END);
    private static final Pattern GPT_4_1_NAME = Pattern.compile(START + "gpt-4\\.1" + END);
    private static final Pattern GPT_4_NAME = Pattern.compile(START + "gpt-4(?=$|[.\\-_])");
    private static final Pattern GPT_35_NAME = Pattern.compile(START + "gpt-3(5|\\.5)(?=$|[.\\-_])");
    private static final Pattern EMBEDDING_NAME = Pattern.compile("embedding|(?<![a-z0-9])text-embedding");
    private static final Pattern IMAGE_NAME = Pattern.compile(START + "(dall-e|gpt-image)");

    private final String configName;
    private final List<String> efforts;
    private final boolean reasoning;
    private final boolean verbosity;

    ModelFamily(String configName, List<String> efforts, boolean reasoning, boolean verbosity) {
        this.configName = configName;
        this.efforts = efforts;
        this.reasoning = reasoning;
        this.verbosity = verbosity;
    }

    /** @return the name used in {@code models[].family} */
    public String configName() {
        return configName;
    }

    /** @return the reasoning efforts the family accepts, lower case; empty for non-reasoning families */
    public List<String> efforts() {
        return efforts;
    }

    /** @return whether the family is a reasoning family (takes reasoning effort, needs max_completion_tokens) */
    public boolean reasoning() {
        return reasoning;
    }

    /** @return whether the family rejects reasoning settings (chat models known not to reason) */
    public boolean rejectsReasoning() {
        return this == GPT_4O || this == GPT_4_1 || this == GPT_4 || this == GPT_35;
    }

    /** @return whether the normalisation rules apply to this family (not for other, embedding, image) */
    public boolean normalized() {
        return this != OTHER && this != EMBEDDING && this != IMAGE;
    }

    /** @return whether the family takes the {@code verbosity} setting */
    public boolean verbosity() {
        return verbosity;
    }

    /**
     * The family for a model: the configured name if given, else detected from the deployment name.
     *
     * @param configured {@code models[].family}, may be empty or {@code null}
     * @param deployment the deployment name
     * @return the family
     * @throws IllegalArgumentException when {@code configured} is not a family name
     */
    public static ModelFamily of(String configured, String deployment) {
        if (configured != null && !configured.isBlank()) {
            return fromConfigName(configured)
                    .orElseThrow(() -> new IllegalArgumentException("Unknown model family '" + configured
                            + "'; use one of gpt-5, o-series, gpt-4o, gpt-4.1, gpt-4, gpt-35, embedding, image, other"));
        }
        return detect(deployment);
    }

    /**
     * The family named in the config.
     *
     * @param name a family name such as {@code gpt-5} or {@code o-series} (case-insensitive)
     * @return the family, or empty if the name is unknown
     */
    public static Optional<ModelFamily> fromConfigName(String name) {
        String wanted = name.strip().toLowerCase(Locale.ROOT);
        for (ModelFamily family : values()) {
            if (family.configName.equals(wanted)) {
                return Optional.of(family);
            }
        }
        return Optional.empty();
    }

    /**
     * Guesses the family from a deployment name.
     *
     * @param deployment the deployment name, e.g. {@code gpt-5-mini}, {@code prod-o3}, {@code text-embedding-3-large}
     * @return the family, {@link #OTHER} when nothing matches
     */
    public static ModelFamily detect(String deployment) {
        if (deployment == null) {
            return OTHER;
        }
        String name = deployment.strip().toLowerCase(Locale.ROOT);
        if (EMBEDDING_NAME.matcher(name).find()) {
            return EMBEDDING;
        }
        if (IMAGE_NAME.matcher(name).find()) {
            return IMAGE;
        }
        // gpt-35 first: "35" would otherwise read as a two-digit generation number.
        if (GPT_35_NAME.matcher(name).find()) {
            return GPT_35;
        }
        if (GPT_5_PLUS.matcher(name).find()) {
            return GPT_5;
        }
        if (O_SERIES_NAME.matcher(name).find()) {
            return O_SERIES;
        }
        if (GPT_4O_NAME.matcher(name).find()) {
            return GPT_4O;
        }
        if (GPT_4_1_NAME.matcher(name).find()) {
            return GPT_4_1;
        }
        if (GPT_4_NAME.matcher(name).find()) {
            return GPT_4;
        }
        return OTHER;
    }
}
