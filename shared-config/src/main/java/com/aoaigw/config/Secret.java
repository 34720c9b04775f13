package com.aoaigw.config;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A secret value from the config document: a client key, an upstream api-key, a client secret or a password.
 *
 * <p>{@link #toString()} never shows the value, so a record holding a {@code Secret} can be logged safely.
 * In JSON a secret is a plain string. A string of the form {@code env:NAME} is a reference: the value is read
 * from the environment variable {@code NAME} when the document is loaded, and the reference (not the value) is
 * what is written back.
 */
public final class Secret {
    /** The mask the admin API shows instead of a secret; a save that sends it back keeps the stored value. */
    public static final String MASK = "********";
    private static final String ENV_PREFIX = "env:";

    private final String stored;
    private final String value;

    private Secret(String stored, String value) {
        this.stored = stored;
        this.value = value;
    }

    /**
     * A secret as written in the document; an {@code env:NAME} reference is resolved from the process environment.
     *
     * @param stored the JSON string
     * @return the secret
     */
    @JsonCreator
    public static Secret of(String stored) {
        return of(stored, System::getenv);
    }

    /**
     * A secret as written in the document, resolving references through {@code env}.
     *
     * @param stored the JSON string
     * @param env    the environment lookup
     * @return the secret
     */
    public static Secret of(String stored, java.util.function.Function<String, String> env) {
        String s = stored == null ? "" : stored;
        if (s.startsWith(ENV_PREFIX) && s.length() > ENV_PREFIX.length()) {
            String v = env.apply(s.substring(ENV_PREFIX.length()));
            return new Secret(s, v == null ? "" : v);
        }
        return new Secret(s, s);
    }

    /** @return an empty secret */
    public static Secret empty() {
        return new Secret("", "");
    }

    /** @return the secret's value (resolved from the environment for a reference); never log it */
    public String reveal() {
        return value;
    }

    /** @return what the document holds: the value itself, or the {@code env:NAME} reference */
    @JsonValue
    public String stored() {
        return stored;
    }

    /** @return true when the document refers to an environment variable instead of holding the value */
    public boolean isReference() {
        return stored.startsWith(ENV_PREFIX) && stored.length() > ENV_PREFIX.length();
    }

    /** @return the environment variable name of a reference, or null */
    public String referenceName() {
        return isReference() ? stored.substring(ENV_PREFIX.length()) : null;
    }

    /** @return true when there is no value */
    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret other && stored.equals(other.stored) && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(stored);
    }

    @Override
    public String toString() {
        return isEmpty() ? "Secret[empty]" : (isReference() ? "Secret[" + stored + "]" : "Secret[redacted]");
    }
}
