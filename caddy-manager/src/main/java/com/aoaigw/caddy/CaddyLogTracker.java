package com.aoaigw.caddy;

import java.io.IOException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads Caddy's JSON log lines and keeps what they say about certificates, per domain: Caddy 2.6.2 has no API for
 * the certificate state, and its {@code tls.obtain} / {@code tls.renew} lines are the live source (obtaining,
 * obtained, failed with the error, the next retry). Also remembers the last error line, for the process state.
 * Thread-safe: one reader thread writes, the reporter reads.
 */
public final class CaddyLogTracker {
    private static final Pattern IDENTIFIER_PREFIX = Pattern.compile("^\\[([^\\]]+)\\]\\s*");

    private final ObjectMapper mapper = new ObjectMapper();
    private final Map<String, DomainLog> domains = new ConcurrentHashMap<>();
    private final Runnable onChange;
    private volatile String lastIdentifier;
    private volatile String lastError;

    /**
     * @param onChange called after a line that changed a domain's state or added a certificate to Caddy's cache
     */
    public CaddyLogTracker(Runnable onChange) {
        this.onChange = onChange;
    }

    /**
     * What the log said last about one domain.
     *
     * @param phase     what Caddy was doing
     * @param at        the time of the line
     * @param lastError the last obtain or renew error, or null after a success
     * @param nextRetry when Caddy tries again after an error, or null
     */
    public record DomainLog(Phase phase, Instant at, String lastError, Instant nextRetry) {
    }

    /** The certificate phases seen in the log. */
    public enum Phase {
        /** "obtaining certificate" or "renewing certificate". */
        OBTAINING,
        /** "certificate obtained successfully" or "certificate renewed successfully". */
        OBTAINED,
        /** "could not get certificate from issuer" or "will retry". */
        FAILED
    }

    /**
     * Takes one line of Caddy's output; lines that are not JSON are ignored.
     *
     * @param line the line
     */
    public void accept(String line) {
        if (line == null) {
            return;
        }
        if (line.startsWith("Error: ")) {
            // how "caddy run" says why it could not start (plain text, after the JSON log)
            lastError = shorten(line.substring("Error: ".length()), 1000);
            return;
        }
        if (!line.startsWith("{")) {
            return;
        }
        JsonNode n;
        try {
            n = mapper.readTree(line);
        } catch (IOException e) {
            return;
        }
        if (n == null || !n.isObject()) {
            return;
        }
        String logger = n.path("logger").asText("");
        String msg = n.path("msg").asText("");
        Instant at = timestamp(n);
        boolean changed = false;
        if (logger.startsWith("tls.obtain") || logger.startsWith("tls.renew")) {
            changed = certificateLine(n, msg.toLowerCase(Locale.ROOT), at);
        } else if (logger.startsWith("tls.cache") && msg.startsWith("added certificate")) {
            changed = true;
        }
        if ("error".equals(n.path("level").asText()) || "fatal".equals(n.path("level").asText())) {
            String err = n.path("error").asText("");
            lastError = shorten(err.isEmpty() ? msg : msg + ": " + err, 1000);
        }
        if (changed) {
            onChange.run();
        }
    }

    private boolean certificateLine(JsonNode n, String msg, Instant at) {
        String id = n.path("identifier").asText("");
        String error = n.path("error").asText("");
        if (id.isEmpty()) {
            // "will retry" carries the identifier only as a "[domain] " prefix of its error
            Matcher m = IDENTIFIER_PREFIX.matcher(error);
            id = m.find() ? m.group(1) : lastIdentifier;
        }
        if (id == null || id.isEmpty()) {
            return false;
        }
        String key = id.toLowerCase(Locale.ROOT);
        lastIdentifier = key;
        DomainLog before = domains.get(key);
        DomainLog after;
        if (msg.equals("obtaining certificate") || msg.equals("renewing certificate")) {
            after = new DomainLog(Phase.OBTAINING, at, before == null ? null : before.lastError(),
                    before == null ? null : before.nextRetry());
        } else if (msg.startsWith("certificate obtained successfully") || msg.startsWith("certificate renewed successfully")) {
            after = new DomainLog(Phase.OBTAINED, at, null, null);
        } else if (msg.startsWith("could not get certificate from issuer")) {
            after = new DomainLog(Phase.FAILED, at, shorten(error, 1000), before == null ? null : before.nextRetry());
        } else if (msg.equals("will retry")) {
            double retryingIn = n.path("retrying_in").asDouble(-1);
            Instant next = retryingIn >= 0 ? at.plusMillis((long) (retryingIn * 1000)) : null;
            String err = before != null && before.phase() == Phase.FAILED && before.lastError() != null
                    ? before.lastError() : shorten(IDENTIFIER_PREFIX.matcher(error).replaceFirst(""), 1000);
            after = new DomainLog(Phase.FAILED, at, err, next);
        } else {
            return false;
        }
        domains.put(key, after);
        return true;
    }

    /**
     * @param domain a domain
     * @return what the log said last about it
     */
    public Optional<DomainLog> domain(String domain) {
        return Optional.ofNullable(domains.get(domain.toLowerCase(Locale.ROOT)));
    }

    /** @return the last error-level line, or null */
    public String lastError() {
        return lastError;
    }

    /** Forgets the certificate history (the issuer or the domain changed, so old failures no longer apply). */
    public void reset() {
        domains.clear();
        lastIdentifier = null;
    }

    private static Instant timestamp(JsonNode n) {
        JsonNode ts = n.get("ts");
        if (ts != null && ts.isNumber()) {
            double s = ts.asDouble();
            long secs = (long) Math.floor(s);
            return Instant.ofEpochSecond(secs, Math.round((s - secs) * 1e9));
        }
        return Instant.now();
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "...";
    }
}
