package com.aoaigw.config;

/**
 * One problem found in a config document.
 *
 * @param severity error (the document is refused) or warning (it loads, the admin page shows it)
 * @param path     JSON path of the field at fault, e.g. {@code models[1].upstream}
 * @param message  what is wrong, with the value and the fix
 */
public record ConfigProblem(Severity severity, String path, String message) {
    /** How bad a problem is. */
    public enum Severity {
        /** The document is refused. */
        ERROR,
        /** The document loads; the operator should look. */
        WARNING
    }

    /**
     * @param path    JSON path
     * @param message message
     * @return an error
     */
    public static ConfigProblem error(String path, String message) {
        return new ConfigProblem(Severity.ERROR, path, message);
    }

    /**
     * @param path    JSON path
     * @param message message
     * @return a warning
     */
    public static ConfigProblem warning(String path, String message) {
        return new ConfigProblem(Severity.WARNING, path, message);
    }

    @Override
    public String toString() {
        return severity.name().toLowerCase(java.util.Locale.ROOT) + ": " + path + ": " + message;
    }
}
