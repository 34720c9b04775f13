package com.aoaigw.proxy.usage;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;

import com.aoaigw.config.GatewayConfig;
import com.aoaigw.config.ModelRoute;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /admin/api/usage} (behind the admin security filter like the rest of the admin API): the usage history
 * over {@code window=1h|24h|7d|30d|all} or {@code from=&to=} (ISO-8601 instants or epoch ms), grouped
 * {@code by=model|key|upstream|deployment}; buckets of a minute (1h, 24h), an hour (7d, 30d) or a day (all), or for a
 * custom range the finest kept resolution that covers it in at most {@value #MAX_BUCKETS} buckets.
 */
public final class UsageAdminService implements HttpService {
    /** The most buckets a custom range is answered with. */
    static final int MAX_BUCKETS = 2000;

    private final UsageReader usage;
    private final Supplier<GatewayConfig> config;
    private final ObjectMapper mapper;

    /**
     * @param usage  the history
     * @param config the config in service (for the currency), or null before one is loaded
     * @param mapper the shared mapper
     */
    public UsageAdminService(UsageReader usage, Supplier<GatewayConfig> config, ObjectMapper mapper) {
        this.usage = usage;
        this.config = config;
        this.mapper = mapper;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/usage", this::usage);
    }

    /**
     * A range and its resolution.
     *
     * @param from first bucket start
     * @param to   end (exclusive)
     * @param step the resolution
     */
    record Range(long from, long to, Resolution step) {
    }

    /** A parameter that cannot be used: answered 400 naming it. */
    static final class BadParam extends Exception {
        private final String param;

        BadParam(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }

        String param() {
            return param;
        }
    }

    /**
     * @param window the window parameter, or null
     * @param from   the from parameter, or null
     * @param to     the to parameter, or null
     * @param now    the time now
     * @return the range
     * @throws BadParam when a parameter cannot be used
     */
    static Range range(String window, String from, String to, long now) throws BadParam {
        boolean custom = present(from) || present(to);
        if (custom) {
            if (!present(from)) {
                throw new BadParam("from", "from is required with to (an ISO-8601 instant or epoch milliseconds)");
            }
            long f = instant("from", from);
            long t = present(to) ? instant("to", to) : now;
            if (t <= f) {
                throw new BadParam("to", "to must be after from");
            }
            for (Resolution r : Resolution.values()) {
                long start = r.align(f);
                if (f >= r.oldestKept(now) && (t - start + r.stepMillis() - 1) / r.stepMillis() <= MAX_BUCKETS) {
                    return new Range(start, t, r);
                }
            }
            return new Range(Resolution.DAY.align(f), t, Resolution.DAY);
        }
        String w = present(window) ? window.trim() : "24h";
        Resolution step = switch (w) {
            case "1h", "24h" -> Resolution.MINUTE;
            case "7d", "30d" -> Resolution.HOUR;
            case "all" -> Resolution.DAY;
            default -> throw new BadParam("window", "window must be 1h, 24h, 7d, 30d or all");
        };
        long end = step.align(now) + step.stepMillis();
        long length = switch (w) {
            case "1h" -> 3_600_000L;
            case "24h" -> 86_400_000L;
            case "7d" -> 7 * 86_400_000L;
            case "30d" -> 30 * 86_400_000L;
            default -> end - Resolution.DAY.oldestKept(now);
        };
        return new Range(end - length, end, step);
    }

    private static boolean present(String s) {
        return s != null && !s.isBlank();
    }

    private static long instant(String name, String v) throws BadParam {
        String s = v.trim();
        if (s.chars().allMatch(Character::isDigit) && s.length() <= 15) {
            return Long.parseLong(s);
        }
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new BadParam(name, name + " must be an ISO-8601 instant (e.g. 2026-01-01T00:00:00Z) or epoch "
                    + "milliseconds");
        }
    }

    private void usage(ServerRequest req, ServerResponse res) {
        Range range;
        Dims.Dimension by;
        try {
            range = range(req.query().first("window").orElse(null), req.query().first("from").orElse(null),
                    req.query().first("to").orElse(null), usage.now());
            by = Dims.Dimension.parse(req.query().first("by").orElse("model").trim());
            if (by == null) {
                throw new BadParam("by", "by must be model, key, upstream or deployment");
            }
        } catch (BadParam e) {
            ObjectNode err = mapper.createObjectNode();
            err.putObject("error").put("message", e.getMessage()).put("type", "invalid_request_error")
                    .put("param", e.param()).put("code", "invalid_" + e.param());
            send(res, 400, err);
            return;
        }
        UsageReport r = usage.query(range.from(), range.to(), range.step(), by);
        send(res, 200, render(mapper, r, currency(config.get())));
    }

    /**
     * @param mapper   a mapper
     * @param r        a report
     * @param currency the currency of the costs
     * @return the API's JSON
     */
    static ObjectNode render(ObjectMapper mapper, UsageReport r, String currency) {
        ObjectNode out = mapper.createObjectNode();
        out.put("from", r.fromMillis());
        out.put("to", r.toMillis());
        out.put("step", r.step().label());
        out.put("stepMillis", r.step().stepMillis());
        out.put("by", r.by().label());
        out.put("currency", currency);
        out.put("scope", r.scope());
        var buckets = out.putArray("buckets");
        for (UsageReport.Bucket b : r.buckets()) {
            ObjectNode bn = buckets.addObject();
            bn.put("t", b.t());
            ObjectNode g = bn.putObject("groups");
            b.groups().forEach((name, c) -> g.set(name, metrics(mapper, c)));
        }
        var groups = out.putArray("groups");
        for (Map.Entry<String, UsageCell> e : r.groups().entrySet()) {
            ObjectNode g = groups.addObject();
            g.put("name", e.getKey());
            g.setAll(metrics(mapper, e.getValue()));
        }
        out.set("total", metrics(mapper, r.total()));
        return out;
    }

    /**
     * @param mapper a mapper
     * @param c      a cell
     * @return its metrics as the API shows them
     */
    static ObjectNode metrics(ObjectMapper mapper, UsageCell c) {
        ObjectNode m = mapper.createObjectNode();
        m.put("requests", c.requests());
        m.put("errors", c.errors());
        ObjectNode codes = m.putObject("errorsByCode");
        c.errorsByCode().forEach(codes::put);
        m.put("promptTokens", c.promptTokens());
        m.put("cachedTokens", c.cachedTokens());
        m.put("completionTokens", c.completionTokens());
        m.put("reasoningTokens", c.reasoningTokens());
        Double cost = c.cost();
        if (cost == null) {
            m.putNull("cost");
        } else {
            m.put("cost", Math.round(cost * 1e9) / 1e9);
        }
        ObjectNode l = m.putObject("latencyMs");
        put(l, "p50", c.latency().percentile(50));
        put(l, "p95", c.latency().percentile(95));
        put(l, "p99", c.latency().percentile(99));
        ObjectNode t = m.putObject("ttftMs");
        put(t, "p50", c.ttft().percentile(50));
        put(t, "p95", c.ttft().percentile(95));
        return m;
    }

    private static void put(ObjectNode n, String name, Double v) {
        if (v == null) {
            n.putNull(name);
        } else {
            n.put(name, Math.round(v * 10) / 10.0);
        }
    }

    /**
     * @param c the config, or null
     * @return the currency of the first model with pricing, else {@code USD}
     */
    static String currency(GatewayConfig c) {
        if (c != null) {
            for (ModelRoute m : c.models()) {
                if (m.pricing() != null) {
                    return m.pricing().currency();
                }
            }
        }
        return "USD";
    }

    private static void send(ServerResponse res, int status, ObjectNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString());
    }
}
