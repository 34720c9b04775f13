package com.aoaigw.sim;

/**
 * How much one simulated deployment takes before it answers 429, like an Azure deployment's quota: requests and
 * tokens per minute over a sliding 60-second window. A request is charged its estimated tokens when admitted:
 * {@code ceil(body bytes / 4)} plus its {@code max_tokens} / {@code max_completion_tokens} /
 * {@code max_output_tokens} (Azure also counts the requested completion budget up front).
 *
 * @param rpm requests per minute; 0 = no request limit
 * @param tpm tokens per minute; 0 = no token limit
 * @param ptu a provisioned (PTU) deployment: every answer carries {@code azure-openai-deployment-utilization}, the
 *            larger of the used shares of {@code rpm} and {@code tpm} in percent
 */
public record Capacity(int rpm, int tpm, boolean ptu) {
    /** The window both limits are counted over. */
    public static final long WINDOW_MS = 60_000;

    /** Checks the limits. */
    public Capacity {
        if (rpm < 0 || tpm < 0) {
            throw new IllegalArgumentException("capacity rpm and tpm must be >= 0, were " + rpm + " and " + tpm);
        }
    }
}
