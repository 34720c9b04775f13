package com.aoaigw.config;

/**
 * Where the config document is kept ({@code PERSISTENCE_MODE}), read once from the environment.
 */
public enum StoreMode {
    /** A local file, or one on a mounted share (the original's {@code azureFile}; the default). */
    AZURE_FILE("azureFile"),
    /** An Azure Storage blob with a local cache file. */
    BLOB("blob");

    private final String configName;

    StoreMode(String configName) {
        this.configName = configName;
    }

    /** @return the spelling of the variable's value */
    public String configName() {
        return configName;
    }

    /**
     * The original's rule: {@code blob} (surrounding blanks ignored) is the blob store, anything else (unset
     * included) the file store.
     *
     * @param value the variable's value, or null
     * @return the mode
     */
    public static StoreMode of(String value) {
        return value != null && value.trim().equals(BLOB.configName) ? BLOB : AZURE_FILE;
    }
}
