package com.aoaigw.config;

import java.util.function.Function;

/**
 * Which config store to use and where, from the process environment (the original's variables).
 *
 * @param mode               {@link StoreMode#AZURE_FILE} (default; any value other than {@code blob}) or
 *                           {@link StoreMode#BLOB}
 *                           ({@code PERSISTENCE_MODE}, or {@code CONFIG_PERSISTENCE_MODE})
 * @param configPath         the config file, the local cache in blob mode ({@code CONFIG_PATH}; default
 *                           {@code ./config/config.json})
 * @param accountUrl         blob account URL ({@code AZURE_STORAGE_ACCOUNT_URL}, or {@code BLOB_ACCOUNT_URL})
 * @param connectionString   used instead of the account URL and DefaultAzureCredential when set
 *                           ({@code AZURE_STORAGE_CONNECTION_STRING}; Azurite and local use)
 * @param container          blob container ({@code CONFIG_BLOB_CONTAINER}, or {@code BLOB_CONTAINER_NAME})
 * @param blobName           blob name ({@code CONFIG_BLOB_NAME}; default {@code config/config.json})
 * @param recoveryIntervalMs blob recovery and polling interval ({@code BLOB_RECOVERY_INTERVAL_MS}; default 30000;
 *                           values below 1000 mean the default)
 */
public record StoreSettings(StoreMode mode,
                            String configPath,
                            String accountUrl,
                            String connectionString,
                            String container,
                            String blobName,
                            long recoveryIntervalMs) {
    /**
     * Reads the settings from environment-style variables.
     *
     * @param env variable lookup (e.g. {@code System::getenv}, or Helidon Config's view of the environment)
     * @return the settings
     */
    public static StoreSettings from(Function<String, String> env) {
        String mode = first(env, "PERSISTENCE_MODE", "CONFIG_PERSISTENCE_MODE");
        long interval = 30000;
        String raw = env.apply("BLOB_RECOVERY_INTERVAL_MS");
        if (raw != null) {
            try {
                long v = Long.parseLong(raw.trim());
                if (v >= 1000) {
                    interval = v;
                }
            } catch (NumberFormatException ignored) {
                // the original's rule: a non-number means the default
            }
        }
        String path = env.apply("CONFIG_PATH");
        String blobName = env.apply("CONFIG_BLOB_NAME");
        return new StoreSettings(StoreMode.of(mode),
                path == null || path.isBlank() ? "./config/config.json" : path,
                first(env, "AZURE_STORAGE_ACCOUNT_URL", "BLOB_ACCOUNT_URL"),
                env.apply("AZURE_STORAGE_CONNECTION_STRING"),
                first(env, "CONFIG_BLOB_CONTAINER", "BLOB_CONTAINER_NAME"),
                blobName == null || blobName.isBlank() ? "config/config.json" : blobName,
                interval);
    }

    private static String first(Function<String, String> env, String a, String b) {
        String v = env.apply(a);
        if (v == null || v.isBlank()) {
            v = env.apply(b);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }
}
