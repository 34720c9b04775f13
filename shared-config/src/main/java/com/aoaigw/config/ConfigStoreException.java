package com.aoaigw.config;

/** The store could not read or write. */
public class ConfigStoreException extends RuntimeException {
    /**
     * @param message what failed
     * @param cause   the cause
     */
    public ConfigStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @param message what failed
     */
    public ConfigStoreException(String message) {
        super(message);
    }
}
