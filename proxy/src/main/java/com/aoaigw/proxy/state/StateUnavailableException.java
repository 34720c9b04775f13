package com.aoaigw.proxy.state;

/** The shared store cannot be reached and the configuration says to refuse rather than count alone. */
public final class StateUnavailableException extends RuntimeException {
    /** @param cause what failed */
    public StateUnavailableException(Throwable cause) {
        super("shared state unavailable", cause);
    }
}
