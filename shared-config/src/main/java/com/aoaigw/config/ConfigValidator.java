package com.aoaigw.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cross-field validation of a parsed document. Collects every problem, in document order, before the caller decides;
 * a document with at least one {@link ConfigProblem.Severity#ERROR} is refused, warnings are shown to the operator.
 *
 * <p>Choices worth knowing: a model giving both {@code upstream} and {@code deployments[]} is an error (which one
 * wins would be a guess); the Caddy transport timeout comparisons are warnings and only made when Caddy is enabled
 * (the defaults differ on purpose for a disabled front door); a weak admin password ({@code admin}/{@code admin},
 * or a password equal to the user name) is a warning here because the proxy refuses to use it at run time; an
 * {@code env:NAME} secret whose variable is not set is a warning (the admin page shows it; what depends on it does
 * not work until it is set), while a secret that is required and literally empty is an error.
 */
public final class ConfigValidator {
    /** Route keys: one per client route. */
    public static final List<String> ROUTE_KEYS = List.of("chat/completions", "responses", "embeddings",
            "images/generations");
    /** Model families: which normalisations apply to a model. */
    public static final List<String> FAMILIES = List.of("gpt-5", "o-series", "gpt-4o", "gpt-4.1", "gpt-4", "gpt-35",
            "embedding", "image", "other");
    /** Normalisation rule names for {@code models[].disabledRules} (the proxy's rules; a proxy test keeps them equal). */
    public static final List<String> NORMALIZATION_RULES = List.of("reject-web-search", "reasoning-shape",
            "reasoning-effort", "reject-reasoning", "strip-reasoning", "max-completion-tokens", "logprobs-implied",
            "strip-service-tier", "strip-verbosity", "strip-top-k", "stream-options");
    /** Upstream auth modes. */
    public static final List<String> AUTH_MODES = List.of("apiKey", "servicePrincipal", "managedIdentity",
            "defaultCredential");
    /** Caddy certificate authorities. */
    public static final List<String> CADDY_CAS = List.of("acme", "acme-staging", "internal");

    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern HASH = Pattern.compile("pbkdf2-sha256\\$\\d+\\$[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+");
    private static final int MAX_RETRIES = 10;
    /** Upper bound of {@code server.upstream.maxAttempts}: more attempts than this only prolong an outage. */
    private static final int MAX_ATTEMPTS = 50;

    private ConfigValidator() {
    }

    /**
     * @param config a parsed document
     * @return every problem found, errors and warnings, in document order
     */
    public static List<ConfigProblem> validate(GatewayConfig config) {
        List<ConfigProblem> p = new ArrayList<>();
        server(config, p);
        auth(config.auth(), "auth", p);
        apiKeys(config, p);
        upstreams(config, p);
        models(config, p);
        return p;
    }

    // ---- server ----

    private static void server(GatewayConfig config, List<ConfigProblem> p) {
        ServerSettings s = config.server();
        if (s.host().isBlank()) {
            p.add(ConfigProblem.error("server.host", "is empty; use 0.0.0.0 (all interfaces) or 127.0.0.1"));
        }
        port(s.port(), "server.port", p);
        if (!"/admin".equals(s.adminPath())) {
            p.add(ConfigProblem.error("server.adminPath", "is '" + s.adminPath()
                    + "'; the admin area is always served at /admin, so set it to \"/admin\" or remove the key"));
        }
        adminAuth(s.adminAuth(), p);
        for (int i = 0; i < s.adminAllowedCidrs().size(); i++) {
            String cidr = s.adminAllowedCidrs().get(i);
            String why = cidrProblem(cidr);
            if (why != null) {
                p.add(ConfigProblem.error("server.adminAllowedCidrs[" + i + "]", "'" + cidr + "' is not a CIDR range ("
                        + why + "); write e.g. 10.0.0.0/8, 192.168.1.10/32 or fd00::/8"));
            }
        }
        caddy(s.caddy(), s.upstream(), p);
        if (!s.adminAuth().enabled() && s.caddy().enabled()) {
            p.add(ConfigProblem.warning("server.adminAuth.enabled", "is false but Caddy is enabled: requests through "
                    + "Caddy arrive from loopback, so the proxy keeps admin credentials required; set it to true"));
        }
        image(s.imageCompression(), p);
        upstreamSettings(s.upstream(), p);
        sharedState(s.sharedState(), p);
    }

    /** Shared-state modes. */
    public static final List<String> SHARED_STATE_MODES = List.of("local", "redis");
    /** What happens while Redis is down. */
    public static final List<String> ON_REDIS_DOWN = List.of("local", "reject");

    private static void sharedState(SharedStateSettings s, List<ConfigProblem> p) {
        String b = "server.sharedState.";
        if (!SHARED_STATE_MODES.contains(s.mode())) {
            p.add(ConfigProblem.error(b + "mode", "is '" + s.mode() + "'; use local (each process counts alone) or "
                    + "redis (replicas share the counters)" + suggestion(s.mode(), SHARED_STATE_MODES)));
        }
        if (!ON_REDIS_DOWN.contains(s.onRedisDown())) {
            p.add(ConfigProblem.error(b + "onRedisDown", "is '" + s.onRedisDown() + "'; use local (keep serving, "
                    + "each replica counting alone) or reject (answer 503)" + suggestion(s.onRedisDown(), ON_REDIS_DOWN)));
        }
        if (s.keyPrefix().length() > 64 || s.keyPrefix().chars().anyMatch(c -> c <= ' ')) {
            p.add(ConfigProblem.error(b + "keyPrefix", "must be at most 64 characters without spaces or control "
                    + "characters, e.g. aoaigw:"));
        }
        if (s.redisUrl().isReference() && s.redisUrl().isEmpty()) {
            p.add(ConfigProblem.warning(b + "redisUrl", "refers to the environment variable "
                    + s.redisUrl().referenceName() + ", which is not set" + (s.redis()
                    ? ": shared state is unavailable until it is set" : "")));
        } else if (s.redisUrl().isEmpty()) {
            if (s.redis()) {
                p.add(ConfigProblem.error(b + "redisUrl", "is empty but mode is redis; set redis://host:6379, "
                        + "rediss://:<password>@host:6380 (TLS) or env:REDIS_URL, or set mode to local"));
            }
        } else {
            String why = redisUrlProblem(s.redisUrl().reveal());
            if (why != null) {
                // the value may hold a password: name the problem, never the value
                p.add(ConfigProblem.error(b + "redisUrl", why + "; use redis://[:password@]host:port[/db] or "
                        + "rediss://... for TLS"));
            }
        }
    }

    /** @return null when {@code url} looks like a Redis URL, else why not (without repeating the value) */
    static String redisUrlProblem(String url) {
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("redis") || scheme.equalsIgnoreCase("rediss"))) {
                return "is not a redis:// or rediss:// URL";
            }
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                return "has no host";
            }
            return null;
        } catch (URISyntaxException e) {
            return "is not a valid URL";
        }
    }

    private static void adminAuth(AdminAuth a, List<ConfigProblem> p) {
        if (a.username().isBlank()) {
            p.add(ConfigProblem.error("server.adminAuth.username", "is empty; set an admin user name"));
        }
        if (!a.passwordHash().isEmpty() && !HASH.matcher(a.passwordHash().reveal()).matches()) {
            p.add(ConfigProblem.error("server.adminAuth.passwordHash", "is not of the form "
                    + "pbkdf2-sha256$<iterations>$<base64 salt>$<base64 hash>; generate it with the admin page or "
                    + "remove it and set a password"));
        }
        if (!a.password().isEmpty()) {
            String pw = a.password().reveal();
            if (pw.equals(a.username()) || pw.equalsIgnoreCase("admin")) {
                p.add(ConfigProblem.warning("server.adminAuth.password", "is weak (the same as the user name, or "
                        + "'admin'); the proxy refuses to use it, so the admin area stays locked: set a strong "
                        + "password or a passwordHash"));
            } else if (!a.password().isReference()) {
                p.add(ConfigProblem.warning("server.adminAuth.password", "is stored in plain text; prefer "
                        + "passwordHash (or an env:NAME reference)"));
            }
        } else if (a.password().isReference()) {
            p.add(ConfigProblem.warning("server.adminAuth.password", "refers to the environment variable "
                    + a.password().referenceName() + ", which is not set"));
        }
    }

    private static void caddy(CaddySettings c, UpstreamSettings u, List<ConfigProblem> p) {
        if (c.enabled() && c.domain().isBlank()) {
            p.add(ConfigProblem.error("server.caddy.domain", "is empty but Caddy is enabled; set the site's host "
                    + "name (e.g. proxy.example.com) or set server.caddy.enabled to false"));
        }
        if (!CADDY_CAS.contains(c.ca())) {
            p.add(ConfigProblem.error("server.caddy.ca", "is '" + c.ca() + "'; use one of " + CADDY_CAS
                    + suggestion(c.ca(), CADDY_CAS)));
        } else if (c.enabled() && c.email().isBlank() && c.ca().startsWith("acme")) {
            p.add(ConfigProblem.warning("server.caddy.email", "is empty; ACME works without it but Let's Encrypt "
                    + "cannot warn you about expiring certificates: set an email address"));
        }
        port(c.httpsPort(), "server.caddy.httpsPort", p);
        port(c.httpPort(), "server.caddy.httpPort", p);
        if (c.upstreamHost().isBlank()) {
            p.add(ConfigProblem.error("server.caddy.upstreamHost", "is empty; set where Caddy reaches the proxy, "
                    + "e.g. 127.0.0.1"));
        }
        port(c.upstreamPort(), "server.caddy.upstreamPort", p);
        String addr = c.adminAddress();
        int colon = addr.lastIndexOf(':');
        boolean okAddr = colon > 0 && isPort(addr.substring(colon + 1));
        if (!okAddr) {
            p.add(ConfigProblem.error("server.caddy.adminAddress", "is '" + addr + "'; use host:port, e.g. "
                    + "127.0.0.1:2019"));
        }
        CaddyTransport t = c.transport();
        positive(t.dialTimeoutMs(), "server.caddy.transport.dialTimeoutMs", p);
        positive(t.responseHeaderTimeoutMs(), "server.caddy.transport.responseHeaderTimeoutMs", p);
        positive(t.keepAliveTimeoutMs(), "server.caddy.transport.keepAliveTimeoutMs", p);
        if (c.enabled()) {
            if (t.responseHeaderTimeoutMs() > 0 && t.responseHeaderTimeoutMs() < u.firstByteTimeoutMs()) {
                p.add(ConfigProblem.warning("server.caddy.transport.responseHeaderTimeoutMs", "is "
                        + t.responseHeaderTimeoutMs() + " ms, below server.upstream.firstByteTimeoutMs ("
                        + u.firstByteTimeoutMs() + " ms): Caddy would cut long non-streaming calls before the proxy "
                        + "gives up; set it to at least " + u.firstByteTimeoutMs()));
            }
            if (t.dialTimeoutMs() > 0 && !t.dialTimeoutMs().equals(u.connectTimeoutMs())) {
                p.add(ConfigProblem.warning("server.caddy.transport.dialTimeoutMs", "is " + t.dialTimeoutMs()
                        + " ms but server.upstream.connectTimeoutMs is " + u.connectTimeoutMs()
                        + " ms; keep them equal so both hops give up on a dead peer at the same time"));
            }
        }
    }

    private static void image(ImageCompression i, List<ConfigProblem> p) {
        if (!(i.quality() > 0 && i.quality() <= 1)) {
            p.add(ConfigProblem.error("server.imageCompression.quality", "is " + i.quality()
                    + "; use a number above 0 and at most 1, e.g. 0.85"));
        }
        if (!"jpeg".equals(i.format()) && !"webp".equals(i.format())) {
            p.add(ConfigProblem.error("server.imageCompression.format", "is '" + i.format() + "'; use jpeg or webp"));
        }
        if (i.maxSize() <= 0) {
            p.add(ConfigProblem.error("server.imageCompression.maxSize", "is " + i.maxSize()
                    + "; use a positive number of pixels, e.g. 1600"));
        }
    }

    private static void upstreamSettings(UpstreamSettings u, List<ConfigProblem> p) {
        String b = "server.upstream.";
        positive(u.connectTimeoutMs(), b + "connectTimeoutMs", p);
        positive(u.requestTimeoutMs(), b + "requestTimeoutMs", p);
        positive(u.firstByteTimeoutMs(), b + "firstByteTimeoutMs", p);
        positive(u.idleTimeoutMs(), b + "idleTimeoutMs", p);
        if (u.maxRetries() < 0 || u.maxRetries() > MAX_RETRIES) {
            p.add(ConfigProblem.error(b + "maxRetries", "is " + u.maxRetries() + "; use 0 to " + MAX_RETRIES));
        }
        positive(u.retryBaseMs(), b + "retryBaseMs", p);
        positive(u.retryMaxMs(), b + "retryMaxMs", p);
        if (u.retryBaseMs() > 0 && u.retryMaxMs() > 0 && u.retryBaseMs() > u.retryMaxMs()) {
            p.add(ConfigProblem.error(b + "retryBaseMs", "is " + u.retryBaseMs() + " ms, above retryMaxMs ("
                    + u.retryMaxMs() + " ms); the base must not exceed the cap"));
        }
        for (int i = 0; i < u.retryStatuses().size(); i++) {
            int status = u.retryStatuses().get(i);
            if (status < 100 || status > 599) {
                p.add(ConfigProblem.error(b + "retryStatuses[" + i + "]", "is " + status
                        + "; HTTP statuses are 100 to 599"));
            }
        }
        positive(u.retryAfterMaxMs(), b + "retryAfterMaxMs", p);
        if (u.maxAttempts() < 0 || u.maxAttempts() > MAX_ATTEMPTS) {
            p.add(ConfigProblem.error(b + "maxAttempts", "is " + u.maxAttempts() + "; use 0 (the number of "
                    + "deployments in the pool + maxRetries) or 1 to " + MAX_ATTEMPTS));
        }
        circuitBreaker(u.circuitBreaker(), b + "circuitBreaker", p);
        UpstreamSettings.Pool pool = u.pool();
        if (pool.connections() < 1) {
            p.add(ConfigProblem.error(b + "pool.connections", "is " + pool.connections() + "; use at least 1"));
        }
        positive(pool.keepAliveTimeoutMs(), b + "pool.keepAliveTimeoutMs", p);
        positive(pool.keepAliveMaxTimeoutMs(), b + "pool.keepAliveMaxTimeoutMs", p);
        positive(pool.headersTimeoutMs(), b + "pool.headersTimeoutMs", p);
        if (pool.bodyTimeoutMs() < 0) {
            p.add(ConfigProblem.error(b + "pool.bodyTimeoutMs", "is " + pool.bodyTimeoutMs()
                    + "; use 0 (no limit) or a positive number of milliseconds"));
        }
        if (pool.pipelining() < 1) {
            p.add(ConfigProblem.error(b + "pool.pipelining", "is " + pool.pipelining() + "; use 1"));
        }
    }

    /** Checks the fields that are set (a deployment's override may leave any of them null). */
    private static void circuitBreaker(CircuitBreakerSettings c, String path, List<ConfigProblem> p) {
        if (c == null) {
            return;
        }
        if (c.failureThreshold() != null && c.failureThreshold() < 1) {
            p.add(ConfigProblem.error(path + ".failureThreshold", "is " + c.failureThreshold()
                    + "; use 1 or more consecutive failures"));
        }
        if (c.failureRatio() != null && !(c.failureRatio() > 0 && c.failureRatio() <= 1)) {
            p.add(ConfigProblem.error(path + ".failureRatio", "is " + c.failureRatio()
                    + "; use a fraction above 0 and at most 1, e.g. 0.5"));
        }
        if (c.windowMs() != null) {
            positive(c.windowMs(), path + ".windowMs", p);
        }
        if (c.minRequests() != null && c.minRequests() < 1) {
            p.add(ConfigProblem.error(path + ".minRequests", "is " + c.minRequests() + "; use 1 or more"));
        }
        if (c.openMs() != null) {
            positive(c.openMs(), path + ".openMs", p);
        }
    }

    // ---- auth ----

    private static void auth(AuthSettings a, String path, List<ConfigProblem> p) {
        if (!AUTH_MODES.contains(a.mode())) {
            p.add(ConfigProblem.error(path + ".mode", "is '" + a.mode() + "'; use one of " + AUTH_MODES
                    + suggestion(a.mode(), AUTH_MODES)));
            return;
        }
        if ("apiKey".equals(a.mode())) {
            if (a.apiKey().isReference() && a.apiKey().isEmpty()) {
                p.add(ConfigProblem.warning(path + ".apiKey", "refers to the environment variable "
                        + a.apiKey().referenceName() + ", which is not set: calls with this auth fail until it is set"));
            } else if (a.apiKey().isEmpty()) {
                p.add(ConfigProblem.error(path + ".apiKey", "is empty but the mode is apiKey; set the Azure key (or "
                        + "env:NAME to read it from the environment), or choose another mode"));
            }
        } else if (a.scope().isBlank()) {
            p.add(ConfigProblem.error(path + ".scope", "is empty; Entra modes need a token scope, e.g. "
                    + AuthSettings.DEFAULT_SCOPE));
        }
        if ("servicePrincipal".equals(a.mode())) {
            int set = (a.tenantId().isBlank() ? 0 : 1) + (a.clientId().isBlank() ? 0 : 1)
                    + (a.clientSecret().isEmpty() ? 0 : 1);
            if (set > 0 && set < 3) {
                p.add(ConfigProblem.warning(path, "servicePrincipal has only some of tenantId, clientId and "
                        + "clientSecret, so the default credential chain is used instead; set all three to use "
                        + "the client secret"));
            }
        }
        if (!a.authorityHost().isBlank()) {
            String why = urlProblem(a.authorityHost());
            if (why != null) {
                p.add(ConfigProblem.error(path + ".authorityHost", "'" + a.authorityHost() + "' " + why
                        + "; use e.g. https://login.microsoftonline.com/"));
            }
        }
    }

    // ---- client keys ----

    private static void apiKeys(GatewayConfig config, List<ConfigProblem> p) {
        List<ClientKey> keys = config.apiKeys();
        if (keys.isEmpty()) {
            p.add(ConfigProblem.error("apiKeys", "is empty: no client could call the proxy; add a key, e.g. "
                    + "{\"id\":\"default\",\"key\":\"<a long random string>\"}"));
        }
        Map<String, Integer> ids = new HashMap<>();
        Map<String, Integer> values = new HashMap<>();
        Set<String> modelIds = new HashSet<>();
        config.models().forEach(m -> modelIds.add(m.id()));
        for (int i = 0; i < keys.size(); i++) {
            ClientKey k = keys.get(i);
            String path = "apiKeys[" + i + "]";
            if (k.id().isBlank()) {
                p.add(ConfigProblem.error(path + ".id", "is empty; give the key a name (used in logs and stats)"));
            } else {
                Integer first = ids.putIfAbsent(k.id(), i);
                if (first != null) {
                    p.add(ConfigProblem.error(path + ".id", "'" + k.id() + "' is already used by apiKeys[" + first
                            + "]; key ids must be unique"));
                }
            }
            String value = k.key().reveal();
            if (k.key().isReference() && value.isBlank()) {
                p.add(ConfigProblem.warning(path + ".key", "refers to the environment variable "
                        + k.key().referenceName() + ", which is not set: this key cannot be used until it is set"));
            } else if (value.isBlank()) {
                p.add(ConfigProblem.error(path + ".key", "is empty; set a long random key, or sha256:<64 hex digits> "
                        + "to store it hashed"));
            } else {
                if (k.hashed() && !HEX64.matcher(value.substring(ClientKey.SHA256_PREFIX.length())).matches()) {
                    p.add(ConfigProblem.error(path + ".key", "starts with sha256: but is not followed by exactly 64 "
                            + "hex digits; write sha256:<hex SHA-256 of the key>, or the key itself"));
                }
                // compare as SHA-256 so a plain key and the hashed form of the same key count as duplicates
                String digest = k.hashed() ? value.substring(ClientKey.SHA256_PREFIX.length()).toLowerCase(Locale.ROOT)
                        : FileConfigStore.etag(value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                Integer first = values.putIfAbsent(digest, i);
                if (first != null) {
                    p.add(ConfigProblem.error(path + ".key", "is the same key as apiKeys[" + first
                            + "]; every client key must be different"));
                }
                if ("CHANGEME".equalsIgnoreCase(value)) {
                    p.add(ConfigProblem.warning(path + ".key", "is the sample key CHANGEME; replace the sample key "
                            + "with a long random string"));
                }
            }
            if (k.limits() != null) {
                KeyLimits l = k.limits();
                positiveCount(l.rpm(), path + ".limits.rpm", "requests per minute", p);
                positiveCount(l.tpm(), path + ".limits.tpm", "tokens per minute", p);
                positiveCount(l.maxConcurrent(), path + ".limits.maxConcurrent", "requests in flight", p);
                positiveCount(l.tokensPerDay(), path + ".limits.tokensPerDay", "tokens per UTC day", p);
                positiveCount(l.tokensPerMonth(), path + ".limits.tokensPerMonth", "tokens per UTC month", p);
                if (l.budgetPerMonth() != null) {
                    if (!(l.budgetPerMonth() > 0) || l.budgetPerMonth().isInfinite()) {
                        p.add(ConfigProblem.error(path + ".limits.budgetPerMonth", "is " + l.budgetPerMonth()
                                + "; use a positive amount in the models' pricing currency, e.g. 50, or remove it "
                                + "for no budget"));
                    } else if (config.models().stream().noneMatch(m -> m.pricing() != null)) {
                        p.add(ConfigProblem.warning(path + ".limits.budgetPerMonth", "is set but no model has "
                                + "pricing, so nothing costs anything: add models[].pricing"));
                    }
                }
            }
            if (k.expiresAt() != null && !k.expiresAt().isBlank()) {
                try {
                    java.time.Instant at = java.time.Instant.parse(k.expiresAt().trim());
                    if (at.isBefore(java.time.Instant.now())) {
                        p.add(ConfigProblem.warning(path + ".expiresAt", "is in the past: this key is refused with "
                                + "401 until expiresAt is moved or removed"));
                    }
                } catch (java.time.format.DateTimeParseException e) {
                    p.add(ConfigProblem.error(path + ".expiresAt", "is '" + shorten(k.expiresAt()) + "', not an "
                            + "ISO-8601 instant; write e.g. 2027-01-01T00:00:00Z (UTC) or remove it for no expiry"));
                }
            }
            if (k.owner() != null && k.owner().length() > 200) {
                p.add(ConfigProblem.error(path + ".owner", "is longer than 200 characters; shorten it"));
            }
            if (k.note() != null && k.note().length() > 2000) {
                p.add(ConfigProblem.error(path + ".note", "is longer than 2000 characters; shorten it"));
            }
            if (!"active".equals(k.status()) && !"disabled".equals(k.status())) {
                p.add(ConfigProblem.error(path + ".status", "is '" + k.status() + "'; use active or disabled"));
            }
            for (int j = 0; j < k.models().size(); j++) {
                String m = k.models().get(j);
                if (!modelIds.contains(m)) {
                    p.add(ConfigProblem.error(path + ".models[" + j + "]", "'" + m + "' is not a model id in models[]"
                            + suggestion(m, modelIds)));
                }
            }
        }
    }

    // ---- upstreams ----

    private static void upstreams(GatewayConfig config, List<ConfigProblem> p) {
        List<Upstream> ups = config.upstreams();
        if (ups.isEmpty()) {
            p.add(ConfigProblem.error("upstreams", "is empty; add at least one Azure OpenAI / Foundry endpoint, e.g. "
                    + "{\"name\":\"foundry\",\"baseUrl\":\"https://<resource>.openai.azure.com/\"}"));
        }
        Map<String, Integer> names = new HashMap<>();
        for (int i = 0; i < ups.size(); i++) {
            Upstream u = ups.get(i);
            String path = "upstreams[" + i + "]";
            if (u.name().isBlank()) {
                p.add(ConfigProblem.error(path + ".name", "is empty; models refer to upstreams by name"));
            } else {
                Integer first = names.putIfAbsent(u.name(), i);
                if (first != null) {
                    p.add(ConfigProblem.error(path + ".name", "'" + u.name() + "' is already used by upstreams["
                            + first + "]; upstream names must be unique"));
                }
            }
            if (u.baseUrl().isBlank()) {
                p.add(ConfigProblem.error(path + ".baseUrl", "is empty; set the resource endpoint, e.g. "
                        + "https://<resource>.openai.azure.com/"));
            } else {
                String why = urlProblem(u.baseUrl());
                if (why != null) {
                    p.add(ConfigProblem.error(path + ".baseUrl", "'" + u.baseUrl() + "' " + why
                            + "; use e.g. https://<resource>.openai.azure.com/"));
                } else if (u.baseUrl().toLowerCase(Locale.ROOT).contains("your-resource-name")) {
                    p.add(ConfigProblem.warning(path + ".baseUrl", "'" + u.baseUrl() + "' still holds the sample "
                            + "host; replace YOUR-RESOURCE-NAME with your Azure resource name"));
                }
            }
            // apiStyle is an ApiStyle once loaded: JsonShapeChecker refuses any other value, with its path
            routes(u.routes(), path + ".routes", false, p);
            if (u.auth() != null) {
                auth(u.auth(), path + ".auth", p);
            }
        }
    }

    // ---- models ----

    private static void models(GatewayConfig config, List<ConfigProblem> p) {
        List<ModelRoute> models = config.models();
        if (models.isEmpty()) {
            p.add(ConfigProblem.error("models", "is empty; add at least one model, e.g. "
                    + "{\"id\":\"gpt-5-mini\",\"upstream\":\"<upstream name>\"}"));
        }
        Set<String> upstreamNames = new HashSet<>();
        config.upstreams().forEach(u -> upstreamNames.add(u.name()));
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < models.size(); i++) {
            ModelRoute m = models.get(i);
            String path = "models[" + i + "]";
            if (m.id().isBlank()) {
                p.add(ConfigProblem.error(path + ".id", "is empty; set the model name clients send"));
            } else {
                Integer first = ids.putIfAbsent(m.id(), i);
                if (first != null) {
                    p.add(ConfigProblem.error(path + ".id", "'" + m.id() + "' is already used by models[" + first
                            + "]; model ids must be unique"));
                }
            }
            boolean hasUpstream = !m.upstream().isBlank();
            boolean hasDeployments = !m.deployments().isEmpty();
            if (!hasUpstream && !hasDeployments) {
                p.add(ConfigProblem.error(path, "has neither upstream nor deployments; set upstream (and "
                        + "targetModel) or list deployments[]"));
            } else if (hasUpstream && hasDeployments) {
                p.add(ConfigProblem.error(path, "has both upstream and deployments; keep one: upstream + "
                        + "targetModel for a single deployment, or deployments[] for several"));
            }
            if (hasUpstream && !upstreamNames.contains(m.upstream())) {
                p.add(ConfigProblem.error(path + ".upstream", unknownUpstream(m.upstream(), upstreamNames)));
            }
            for (int j = 0; j < m.deployments().size(); j++) {
                ModelRoute.Deployment d = m.deployments().get(j);
                String dp = path + ".deployments[" + j + "]";
                if (d.upstream().isBlank()) {
                    p.add(ConfigProblem.error(dp + ".upstream", "is empty; name one of upstreams[]"));
                } else if (!upstreamNames.contains(d.upstream())) {
                    p.add(ConfigProblem.error(dp + ".upstream", unknownUpstream(d.upstream(), upstreamNames)));
                }
                if (d.deployment().isBlank()) {
                    p.add(ConfigProblem.error(dp + ".deployment", "is empty; set the Azure deployment name"));
                }
                if (d.priority() < 0) {
                    p.add(ConfigProblem.error(dp + ".priority", "is " + d.priority()
                            + "; use 0 or more (lower is preferred)"));
                }
                if (d.weight() < 1) {
                    p.add(ConfigProblem.error(dp + ".weight", "is " + d.weight() + "; use 1 or more"));
                }
                circuitBreaker(d.circuitBreaker(), dp + ".circuitBreaker", p);
                if (d.spillAbovePercent() != null && (d.spillAbovePercent() < 1 || d.spillAbovePercent() > 100)) {
                    p.add(ConfigProblem.error(dp + ".spillAbovePercent", "is " + d.spillAbovePercent()
                            + "; use a percent from 1 to 100 (e.g. 90), or remove it to never spill"));
                }
            }
            Set<String> seenFallbacks = new HashSet<>();
            for (int f = 0; f < m.fallbacks().size(); f++) {
                String fb = m.fallbacks().get(f);
                String fp = path + ".fallbacks[" + f + "]";
                if (fb.equals(m.id())) {
                    p.add(ConfigProblem.error(fp, "is the model itself; name another model id"));
                } else if (!modelIdsOf(config).contains(fb)) {
                    p.add(ConfigProblem.error(fp, "'" + fb + "' is not a model id in models[]"
                            + suggestion(fb, modelIdsOf(config))));
                } else if (!seenFallbacks.add(fb)) {
                    p.add(ConfigProblem.error(fp, "'" + fb + "' is listed twice; keep one"));
                }
            }
            if (!m.family().isEmpty() && !FAMILIES.contains(m.family())) {
                p.add(ConfigProblem.error(path + ".family", "is '" + m.family() + "'; use one of " + FAMILIES
                        + " or remove it to guess from the deployment name" + suggestion(m.family(), FAMILIES)));
            }
            for (int r = 0; r < m.disabledRules().size(); r++) {
                String rule = m.disabledRules().get(r);
                if (!NORMALIZATION_RULES.contains(rule)) {
                    p.add(ConfigProblem.error(path + ".disabledRules[" + r + "]", "is '" + rule + "'; use one of "
                            + NORMALIZATION_RULES + suggestion(rule, NORMALIZATION_RULES)));
                }
            }
            routes(m.routes(), path + ".routes", true, p);
            if (m.limits() != null) {
                positiveCount(m.limits().rpm(), path + ".limits.rpm", "requests per minute", p);
                positiveCount(m.limits().tpm(), path + ".limits.tpm", "tokens per minute", p);
                positiveCount(m.limits().maxConcurrent(), path + ".limits.maxConcurrent", "requests in flight", p);
            }
            if (m.pricing() != null) {
                Pricing pr = m.pricing();
                price(pr.inputPer1M(), path + ".pricing.inputPer1M", p);
                price(pr.cachedInputPer1M(), path + ".pricing.cachedInputPer1M", p);
                price(pr.outputPer1M(), path + ".pricing.outputPer1M", p);
                if (!pr.currency().matches("[A-Za-z]{1,8}")) {
                    p.add(ConfigProblem.error(path + ".pricing.currency", "is '" + shorten(pr.currency())
                            + "'; use a currency code of letters, e.g. USD or EUR"));
                }
            }
        }
        Set<String> currencies = new java.util.TreeSet<>();
        models.forEach(m -> {
            if (m.pricing() != null) {
                currencies.add(m.pricing().currency());
            }
        });
        if (currencies.size() > 1) {
            p.add(ConfigProblem.warning("models", "pricing uses several currencies " + currencies + "; a key's "
                    + "budgetPerMonth adds them up as if they were one: use one currency"));
        }
    }

    private static void positiveCount(Number value, String path, String unit, List<ConfigProblem> p) {
        if (value != null && value.longValue() <= 0) {
            p.add(ConfigProblem.error(path, "is " + value + "; use a positive number of " + unit
                    + ", or remove it for no limit"));
        }
    }

    private static void price(Double value, String path, List<ConfigProblem> p) {
        if (value == null || !(value >= 0) || value.isInfinite()) {
            p.add(ConfigProblem.error(path, "is " + value + "; use a price of 0 or more per 1M tokens, e.g. 0.15"));
        }
    }

    private static String shorten(String s) {
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static Set<String> modelIdsOf(GatewayConfig config) {
        Set<String> ids = new HashSet<>();
        config.models().forEach(m -> ids.add(m.id()));
        return ids;
    }

    private static String unknownUpstream(String name, Set<String> names) {
        return "'" + name + "' is not the name of an upstream in upstreams[]" + suggestion(name, names);
    }

    /**
     * Route keys must be known (or {@code *}). A model's route value is a route key or a path starting with
     * {@code /}; an upstream's is a path template resolved against {@code baseUrl} like a relative URL (with a
     * leading {@code /} it replaces the base path, without one it is appended to it, as in the original).
     */
    private static void routes(Map<String, String> routes, String path, boolean model, List<ConfigProblem> p) {
        for (Map.Entry<String, String> e : routes.entrySet()) {
            String entry = path + "[\"" + e.getKey() + "\"]";
            if (!"*".equals(e.getKey()) && !ROUTE_KEYS.contains(e.getKey())) {
                p.add(ConfigProblem.error(entry, "'" + e.getKey() + "' is not a route key; use one of " + ROUTE_KEYS
                        + " or *" + suggestion(e.getKey(), ROUTE_KEYS)));
            }
            String v = e.getValue().trim();
            if (model && !v.startsWith("/") && !ROUTE_KEYS.contains(v)) {
                p.add(ConfigProblem.error(entry, "value '" + e.getValue() + "' is neither a route key " + ROUTE_KEYS
                        + " nor a path starting with /" + suggestion(v, ROUTE_KEYS)));
            } else if (!model && v.isEmpty()) {
                p.add(ConfigProblem.error(entry, "is empty; give the upstream path, e.g. /openai/v1/chat/completions,"
                        + " or remove the entry"));
            } else if (!model && v.contains("://")) {
                p.add(ConfigProblem.error(entry, "value '" + e.getValue() + "' is a full URL; give a path (relative "
                        + "to baseUrl), e.g. /openai/v1/chat/completions"));
            }
        }
    }

    // ---- helpers ----

    private static String suggestion(String value, java.util.Collection<String> candidates) {
        String s = Suggestions.closest(value, candidates);
        return s == null ? "" : "; did you mean '" + s + "'?";
    }

    private static void port(int port, String path, List<ConfigProblem> p) {
        if (port < 1 || port > 65535) {
            p.add(ConfigProblem.error(path, "is " + port + "; ports are 1 to 65535"));
        }
    }

    private static boolean isPort(String s) {
        try {
            int v = Integer.parseInt(s);
            return v >= 1 && v <= 65535;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void positive(long value, String path, List<ConfigProblem> p) {
        if (value <= 0) {
            p.add(ConfigProblem.error(path, "is " + value + "; use a positive number of milliseconds"));
        }
    }

    /** @return null when {@code url} is an absolute http(s) URL with a host, else why not */
    static String urlProblem(String url) {
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                return "is not an http or https URL";
            }
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                return "has no host";
            }
            return null;
        } catch (URISyntaxException e) {
            return "is not a valid URL (" + e.getReason() + ")";
        }
    }

    /** @return null when {@code cidr} parses as an IPv4 or IPv6 CIDR range, else why not */
    static String cidrProblem(String cidr) {
        String s = cidr.trim();
        int slash = s.indexOf('/');
        if (slash < 0) {
            return "no /prefix length";
        }
        String addr = s.substring(0, slash);
        // only literal addresses: InetAddress would otherwise resolve a host name through DNS
        boolean v4 = addr.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        boolean v6 = addr.contains(":") && addr.matches("[0-9a-fA-F:.]+");
        if (!v4 && !v6) {
            return "not an IP address";
        }
        if (v4) {
            for (String octet : addr.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return "an IPv4 octet is above 255";
                }
            }
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(addr).getAddress();
        } catch (UnknownHostException e) {
            return "not an IP address";
        }
        if (v4 && bytes.length != 4) {
            return "not an IPv4 address";
        }
        int prefix;
        try {
            prefix = Integer.parseInt(s.substring(slash + 1));
        } catch (NumberFormatException e) {
            return "the prefix length is not a number";
        }
        int max = v4 ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            return "the prefix length must be 0 to " + max;
        }
        return null;
    }
}
