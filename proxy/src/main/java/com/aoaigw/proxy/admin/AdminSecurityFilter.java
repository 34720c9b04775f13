package com.aoaigw.proxy.admin;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import com.aoaigw.config.GatewayConfig;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;

/**
 * Guards everything under {@code /admin} (one fixed prefix for the page and the API, so the gate and the routes can
 * never disagree, D1).
 *
 * <ul>
 *     <li>every {@code /admin} response gets the security headers (CSP without inline scripts, frame denial,
 *     no referrer, no sniffing); API responses are never cached;</li>
 *     <li>{@code server.adminAllowedCidrs} restricts who may reach {@code /admin} at all (403 elsewhere); the
 *     client address is the TCP peer, or the last {@code X-Forwarded-For} hop when the peer is loopback (Caddy);</li>
 *     <li>the page's static files are public (they hold no data); every {@code /admin/api/*} route except login
 *     needs an admin session cookie or HTTP Basic credentials. A client API key never grants admin access;</li>
 *     <li>CSRF rule (D9): a write (any method but GET/HEAD) with a session cookie must carry the session's token in
 *     {@code X-CSRF-Token}; a write with HTTP Basic must carry {@code X-Requested-With} (or {@code X-CSRF-Token}).
 *     Browsers never add these headers to cross-site requests without a CORS preflight, which the proxy does not
 *     grant, so cached Basic credentials cannot be abused by another site;</li>
 *     <li>failed Basic attempts count towards the same backoff and lockout as failed logins (429 with
 *     {@code Retry-After}).</li>
 * </ul>
 */
public final class AdminSecurityFilter implements Filter {
    /** The admin prefix; fixed. */
    public static final String PREFIX = "/admin";
    /** The session cookie's name. */
    public static final String COOKIE = "aoaigw_admin";
    /** The CSRF header. */
    public static final HeaderName CSRF = HeaderNames.create("X-CSRF-Token");
    /** The header scripts using HTTP Basic add on writes. */
    public static final HeaderName REQUESTED_WITH = HeaderNames.create("X-Requested-With");
    private static final HeaderName FORWARDED_PROTO = HeaderNames.create("X-Forwarded-Proto");
    private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final AdminAuthenticator authenticator;
    private final SessionStore sessions;
    private final LoginThrottle throttle;
    private final Supplier<GatewayConfig> config;
    private final ObjectMapper mapper = AdminJson.mapper();

    /**
     * Who is calling, put in the request context for the admin service.
     *
     * @param username the admin user name ({@code -} when admin auth is off)
     * @param session  the cookie session, or empty for Basic or open access
     */
    public record Principal(String username, Optional<SessionStore.Session> session) {
    }

    /**
     * @param authenticator credentials
     * @param sessions      cookie sessions
     * @param throttle      failure backoff
     * @param config        the config in effect
     */
    public AdminSecurityFilter(AdminAuthenticator authenticator, SessionStore sessions, LoginThrottle throttle,
                               Supplier<GatewayConfig> config) {
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.throttle = throttle;
        this.config = config;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String path = req.path().path();
        if (!path.equals(PREFIX) && !path.startsWith(PREFIX + "/")) {
            chain.proceed();
            return;
        }
        res.header(HeaderNames.create("Content-Security-Policy"), CSP);
        res.header(HeaderNames.create("X-Frame-Options"), "DENY");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        boolean api = path.startsWith(PREFIX + "/api/") || path.equals(PREFIX + "/api");
        if (api) {
            res.header(HeaderNames.CACHE_CONTROL, "no-store");
        }
        if (!allowedAddress(req)) {
            AdminErrors.send(mapper, res, 403, "forbidden_address",
                    "the admin area is not available from this address (server.adminAllowedCidrs)");
            return;
        }
        if (!api || path.equals(PREFIX + "/api/login")) {
            chain.proceed();
            return;
        }
        boolean write = req.prologue().method() != Method.GET && req.prologue().method() != Method.HEAD;
        // open mode is for a local operator only: a request relayed by a proxy (Caddy) may come from anywhere
        if (authenticator.open() && !proxied(req)) {
            if (write && !req.headers().contains(REQUESTED_WITH) && !req.headers().contains(CSRF)) {
                AdminErrors.send(mapper, res, 403, "csrf_required",
                        "writes need the X-Requested-With or X-CSRF-Token header");
                return;
            }
            req.context().register(new Principal("-", Optional.empty()));
            chain.proceed();
            return;
        }
        Optional<String> cookie = cookie(req, COOKIE);
        if (cookie.isPresent()) {
            Optional<SessionStore.Session> s = sessions.touch(cookie.get());
            if (s.isPresent()) {
                if (write && !tokenMatches(req.headers().first(CSRF).orElse(""), s.get().csrfToken())) {
                    AdminErrors.send(mapper, res, 403, "csrf_failed",
                            "missing or wrong X-CSRF-Token header (use the token from the login response)");
                    return;
                }
                req.context().register(new Principal(s.get().username(), s));
                chain.proceed();
                return;
            }
        }
        Optional<String> authz = req.headers().first(HeaderNames.AUTHORIZATION);
        if (authz.isPresent() && authz.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] userPass = basic(authz.get());
            String ip = clientAddress(req).map(InetAddress::getHostAddress).orElse("unknown");
            String user = userPass == null ? "" : userPass[0];
            String[] subjects = LoginThrottle.subjects(ip, user);
            Optional<Duration> wait = throttle.acquire(subjects);
            if (wait.isPresent()) {
                tooMany(res, wait.get());
                return;
            }
            throttle.slowDown(user);
            if (userPass == null || !authenticator.check(userPass[0], userPass[1])) {
                throttle.userFailure(user);
                unauthorized(res);
                return;
            }
            throttle.success(subjects);
            if (write && !req.headers().contains(REQUESTED_WITH) && !req.headers().contains(CSRF)) {
                AdminErrors.send(mapper, res, 403, "csrf_required",
                        "writes with HTTP Basic need the X-Requested-With header");
                return;
            }
            req.context().register(new Principal(userPass[0], Optional.empty()));
            chain.proceed();
            return;
        }
        unauthorized(res);
    }

    private void unauthorized(RoutingResponse res) {
        AdminErrors.send(mapper, res, 401, "unauthorized",
                "admin credentials required: log in, or use HTTP Basic with the admin user (client API keys are not "
                        + "admin credentials)");
    }

    void tooMany(io.helidon.webserver.http.ServerResponse res, Duration wait) {
        long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
        res.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
        AdminErrors.send(mapper, res, 429, "too_many_attempts",
                "too many failed admin logins; try again in " + seconds + " s");
    }

    /**
     * @param req a request
     * @return true when it carries a header a reverse proxy adds ({@code X-Forwarded-For}, {@code Forwarded},
     *         {@code X-Forwarded-Proto})
     */
    static boolean proxied(ServerRequest req) {
        return req.headers().contains(HeaderNames.X_FORWARDED_FOR) || req.headers().contains(HeaderNames.FORWARDED)
                || req.headers().contains(FORWARDED_PROTO);
    }

    private boolean allowedAddress(ServerRequest req) {
        List<String> cidrs = config.get().server().adminAllowedCidrs();
        if (cidrs.isEmpty()) {
            return true;
        }
        CidrMatcher m;
        try {
            m = CidrMatcher.parse(cidrs);
        } catch (IllegalArgumentException e) {
            // a broken allow-list must fail closed
            return false;
        }
        return clientAddress(req).map(m::allows).orElse(false);
    }

    /**
     * The client's address: the TCP peer, or the last {@code X-Forwarded-For} hop when the peer is loopback (the
     * local Caddy appends the address it saw).
     *
     * @param req a request
     * @return the address, or empty when unknown
     */
    public static Optional<InetAddress> clientAddress(ServerRequest req) {
        SocketAddress sa = req.remotePeer().address();
        if (!(sa instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return Optional.empty();
        }
        InetAddress peer = isa.getAddress();
        if (peer.isLoopbackAddress()) {
            Optional<String> xff = req.headers().first(HeaderNames.X_FORWARDED_FOR);
            if (xff.isPresent()) {
                String[] hops = xff.get().split(",");
                String last = hops[hops.length - 1].trim();
                if (last.matches("[0-9a-fA-F:.]+")) {
                    try {
                        return Optional.of(InetAddress.getByName(last));
                    } catch (UnknownHostException ignored) {
                        // fall back to the peer
                    }
                }
            }
        }
        return Optional.of(peer);
    }

    /**
     * @param req a request
     * @return true when it reached the proxy over TLS, directly or through the local Caddy
     */
    public static boolean secure(ServerRequest req) {
        if (req.isSecure()) {
            return true;
        }
        SocketAddress sa = req.remotePeer().address();
        boolean loopback = sa instanceof InetSocketAddress isa && isa.getAddress() != null
                && isa.getAddress().isLoopbackAddress();
        return loopback && req.headers().first(FORWARDED_PROTO).map("https"::equalsIgnoreCase).orElse(false);
    }

    /**
     * @param req  a request
     * @param name a cookie name
     * @return its value
     */
    public static Optional<String> cookie(ServerRequest req, String name) {
        for (String header : req.headers().all(HeaderNames.COOKIE, List::of)) {
            for (String part : header.split(";")) {
                int eq = part.indexOf('=');
                if (eq > 0 && part.substring(0, eq).trim().equals(name)) {
                    return Optional.of(part.substring(eq + 1).trim());
                }
            }
        }
        return Optional.empty();
    }

    private static String[] basic(String header) {
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static boolean tokenMatches(String given, String expected) {
        return MessageDigest.isEqual(AdminAuthenticator.sha256(given), AdminAuthenticator.sha256(expected));
    }
}
