package com.aoaigw.config;

import java.nio.file.Path;

/** Builds the config store the process settings ask for. */
public final class ConfigStores {
    private ConfigStores() {
    }

    /**
     * @param settings the process settings
     * @return a {@link BlobConfigStore} when the mode is {@code blob}, else a {@link FileConfigStore} on
     *         {@code configPath}
     */
    public static ConfigStore create(StoreSettings settings) {
        return switch (settings.mode()) {
            case BLOB -> new BlobConfigStore(settings);
            case AZURE_FILE -> new FileConfigStore(Path.of(settings.configPath()));
        };
    }
}
