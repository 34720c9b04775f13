package com.aoaigw.config;

/** A write was based on a stale version; carries the current one so the caller can show or merge it. */
public final class ConfigConflictException extends ConfigStoreException {
    private final transient ConfigStore.Versioned current;

    /**
     * @param current the version now stored
     */
    public ConfigConflictException(ConfigStore.Versioned current) {
        super("the config was changed by someone else (current etag " + (current == null ? "none" : current.etag()) + ")");
        this.current = current;
    }

    /** @return the version now stored */
    public ConfigStore.Versioned current() {
        return current;
    }
}
