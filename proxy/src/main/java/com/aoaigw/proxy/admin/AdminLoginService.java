package com.aoaigw.proxy.admin;

import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/** The admin API's login, logout and the session, under {@code /admin/api}. */
final class AdminLoginService extends AdminSurface {
    /** @param parts everything the admin API uses */
    AdminLoginService(AdminService.Parts parts) {
        super(parts);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/login", this::login)
                .post("/logout", this::logout)
                .get("/session", this::session);
    }

    private void login(ServerRequest req, ServerResponse res) {
        if (!req.headers().contentType().map(ct -> ct.mediaType().text().equals("application/json")).orElse(false)) {
            throw error(415, "unsupported_media_type", "send the credentials as application/json");
        }
        JsonNode body = objectBody(req, res);
        String username = body.path("username").asText("");
        String password = body.path("password").asText("");
        String ip = AdminSecurityFilter.clientAddress(req).map(java.net.InetAddress::getHostAddress).orElse("unknown");
        String[] subjects = LoginThrottle.subjects(ip, username);
        Optional<Duration> wait = parts.throttle().acquire(subjects);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            res.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds));
            throw error(429, "too_many_attempts", "too many failed admin logins; try again in " + seconds + " s");
        }
        parts.throttle().slowDown(username);
        if (!parts.authenticator().check(username, password)) {
            parts.throttle().userFailure(username);
            LOG.log(System.Logger.Level.WARNING, "admin login failed for user '" + safe(username) + "' from " + ip);
            throw error(401, "invalid_credentials", "wrong user name or password");
        }
        parts.throttle().success(subjects);
        parts.throttle().userSuccess(username);
        SessionStore.Session s = parts.sessions().create(username);
        res.header(HeaderNames.SET_COOKIE, cookie(s.id(), AdminSecurityFilter.secure(req), 12 * 3600));
        LOG.log(System.Logger.Level.INFO, "admin login for user '" + safe(username) + "' from " + ip);
        ObjectNode out = mapper.createObjectNode();
        out.put("ok", true);
        out.put("username", username);
        out.put("csrfToken", s.csrfToken());
        json(res, 200, out);
    }

    private void logout(ServerRequest req, ServerResponse res) {
        principal(req).session().ifPresent(s -> parts.sessions().remove(s.id()));
        res.header(HeaderNames.SET_COOKIE, cookie("", AdminSecurityFilter.secure(req), 0));
        json(res, 200, mapper.createObjectNode().put("ok", true));
    }

    private void session(ServerRequest req, ServerResponse res) {
        AdminSecurityFilter.Principal p = principal(req);
        ObjectNode out = mapper.createObjectNode();
        out.put("authenticated", true);
        out.put("username", p.username());
        out.put("method", p.session().isPresent() ? "session" : parts.authenticator().open() ? "open" : "basic");
        p.session().ifPresent(s -> out.put("csrfToken", s.csrfToken()));
        json(res, 200, out);
    }

    private static String cookie(String value, boolean secure, long maxAge) {
        return AdminSecurityFilter.COOKIE + "=" + value + "; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=" + maxAge
                + (secure ? "; Secure" : "");
    }
}
