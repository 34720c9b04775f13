package com.aoaigw.proxy.admin;

import java.time.Instant;

import com.aoaigw.config.ClientKey;
import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.SharedStateSettings;
import com.aoaigw.proxy.config.ConfigHolder;
import com.aoaigw.proxy.config.ConfigSnapshot;
import com.aoaigw.proxy.limit.KeyUsage;
import com.aoaigw.proxy.limit.Limiter;
import com.aoaigw.proxy.limit.Limits;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The admin API's view of limits, quotas and budgets, under {@code /admin/api} (behind the admin security filter
 * like the rest): {@code GET /limits} (the shared state's mode and health, and every key's usage against its
 * limits) and {@code GET /limits/keys/{id}} (one key). Read-only: limits are edited in the config document.
 */
public final class LimitsAdminService implements HttpService {
    private final ConfigHolder config;
    private final Limits limits;
    private final ObjectMapper mapper;

    /**
     * @param config the config holder
     * @param limits the limits
     * @param mapper the shared mapper
     */
    public LimitsAdminService(ConfigHolder config, Limits limits, ObjectMapper mapper) {
        this.config = config;
        this.limits = limits;
        this.mapper = mapper;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/limits", this::all)
                .get("/limits/keys/{id}", this::one);
    }

    private void all(ServerRequest req, ServerResponse res) {
        ConfigSnapshot snap = config.current();
        ObjectNode out = mapper.createObjectNode();
        out.set("sharedState", sharedState());
        ArrayNode keys = out.putArray("keys");
        if (snap != null) {
            Limiter limiter = limits.limiter();
            String currency = currency(snap.config());
            for (ClientKey k : snap.config().apiKeys()) {
                keys.add(key(limiter, k, currency));
            }
        }
        send(res, 200, out);
    }

    private void one(ServerRequest req, ServerResponse res) {
        String id = req.path().pathParameters().get("id");
        ConfigSnapshot snap = config.current();
        ClientKey k = snap == null ? null
                : snap.config().apiKeys().stream().filter(c -> c.id().equals(id)).findFirst().orElse(null);
        if (k == null) {
            ObjectNode err = mapper.createObjectNode();
            err.putObject("error").put("message", "No key with this id.").put("code", "key_not_found");
            send(res, 404, err);
            return;
        }
        send(res, 200, key(limits.limiter(), k, currency(snap.config())));
    }

    private ObjectNode sharedState() {
        SharedStateSettings s = limits.settings();
        ObjectNode o = mapper.createObjectNode();
        boolean up = limits.limiter().state().up();
        o.put("mode", limits.limiter().state().mode());
        o.put("up", up);
        o.put("status", up ? "ok" : "degraded");
        o.put("onRedisDown", s.onRedisDown());
        return o;
    }

    private ObjectNode key(Limiter limiter, ClientKey k, String currency) {
        ObjectNode o = mapper.createObjectNode();
        o.put("id", k.id());
        o.put("status", k.status());
        putOrNull(o, "owner", k.owner());
        putOrNull(o, "note", k.note());
        putOrNull(o, "expiresAt", k.expiresAt());
        o.put("expired", k.expiry().map(at -> !at.isAfter(Instant.now())).orElse(false));
        if (k.limits() == null) {
            o.putNull("limits");
        } else {
            o.set("limits", mapper.valueToTree(k.limits()));
        }
        KeyUsage u = limiter.usage(k, currency);
        ObjectNode usage = o.putObject("usage");
        meter(usage, "requestsPerMinute", u.requestsPerMin());
        meter(usage, "tokensPerMinute", u.tokensPerMin());
        meter(usage, "concurrent", u.concurrent());
        meter(usage, "tokensToday", u.tokensToday());
        meter(usage, "tokensThisMonth", u.tokensMonth());
        usage.put("costToday", round(u.costToday()));
        usage.put("costThisMonth", round(u.costMonth()));
        if (u.budgetPerMonth() == null) {
            usage.putNull("budgetPerMonth");
            usage.putNull("budgetRemaining");
        } else {
            usage.put("budgetPerMonth", u.budgetPerMonth());
            usage.put("budgetRemaining", round(u.budgetRemaining()));
        }
        usage.put("currency", u.currency());
        usage.put("dayResetsAt", u.dayResetsAt());
        usage.put("monthResetsAt", u.monthResetsAt());
        return o;
    }

    private static void meter(ObjectNode parent, String name, KeyUsage.Meter m) {
        ObjectNode o = parent.putObject(name);
        o.put("used", m.used());
        if (m.limit() == null) {
            o.putNull("limit");
        } else {
            o.put("limit", m.limit().longValue());
        }
    }

    private static double round(double v) {
        return Math.round(v * 1_000_000.0) / 1_000_000.0;
    }

    private static void putOrNull(ObjectNode o, String name, String value) {
        if (value == null) {
            o.putNull(name);
        } else {
            o.put(name, value);
        }
    }

    private static String currency(GatewayConfig config) {
        return config.models().stream().filter(m -> m.pricing() != null).map(m -> m.pricing().currency())
                .findFirst().orElse("USD");
    }

    private void send(ServerResponse res, int status, ObjectNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try {
            res.send(mapper.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
