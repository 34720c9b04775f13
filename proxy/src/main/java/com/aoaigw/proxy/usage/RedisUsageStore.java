package com.aoaigw.proxy.usage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import com.aoaigw.config.SharedStateSettings;
import com.aoaigw.proxy.state.RedisLink;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;

/**
 * The fleet's usage history in Redis. One hash per resolution and bucket, {@code <prefix>usage:<m|h|d>:<bucket start
 * ms>}, with one field per dimensions and metric ({@code model|key|upstream|deployment|metric}, names with {@code %}
 * and {@code |} escaped; metrics {@code r} requests, {@code e} errors, {@code ec:<code>}, {@code pt}/{@code ct}/
 * {@code ot}/{@code rt} prompt, cached, completion and reasoning tokens, {@code cn} cost in billionths, {@code pr}
 * priced requests, {@code l:<bucket>} and {@code f:<bucket>} latency and TTFT histogram buckets), expiring with its
 * resolution's retention. A replica's batch is added by one Lua script (one round trip, all or nothing) that first
 * sets a marker for the batch id, so a batch sent again after a lost answer is not counted twice. Reads pipeline one
 * {@code HGETALL} per bucket.
 */
final class RedisUsageStore implements FleetStore {
    private static final String ADD = """
            if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', 86400) then return 0 end
            local a = 1
            for i = 2, #KEYS do
              local ttl = ARGV[a]
              local n = tonumber(ARGV[a + 1])
              a = a + 2
              for j = 1, n do
                redis.call('HINCRBY', KEYS[i], ARGV[a], ARGV[a + 1])
                a = a + 2
              end
              redis.call('EXPIRE', KEYS[i], ttl)
            end
            return 1
            """;

    private final RedisLink link;
    private final String prefix;
    private volatile String addSha;

    private RedisUsageStore(String url, String prefix) {
        this.prefix = prefix;
        this.link = new RedisLink(url, Duration.ofSeconds(2), Duration.ofSeconds(2),
                c -> addSha = c.sync().scriptLoad(ADD));
    }

    /**
     * @param s the {@code server.sharedState} block (mode redis)
     * @return the store; it connects at its first use and again after an outage
     */
    static FleetStore create(SharedStateSettings s) {
        return new RedisUsageStore(s.redisUrl().reveal(), s.keyPrefix());
    }

    private StatefulRedisConnection<String, String> connection() {
        return link.connect();
    }

    @Override
    public void add(String batchId, Map<Long, Map<Dims, UsageCell>> minutes) {
        // one hash per resolution and bucket: the minute cells summed into their hours and days first
        Map<String, Map<String, Long>> hashes = new TreeMap<>();
        Map<String, Long> ttl = new HashMap<>();
        long now = System.currentTimeMillis();
        minutes.forEach((minute, cells) -> {
            for (Resolution r : Resolution.values()) {
                long t = r.align(minute);
                String key = key(r, t);
                Map<String, Long> fields = hashes.computeIfAbsent(key, k -> new HashMap<>());
                ttl.put(key, Math.max(60, (t + keep(r) - now) / 1000));
                cells.forEach((d, c) -> fields(fields, d, c));
            }
        });
        List<String> keys = new ArrayList<>();
        List<String> args = new ArrayList<>();
        keys.add(prefix + "usage:batch:" + batchId);
        hashes.forEach((key, fields) -> {
            keys.add(key);
            args.add(Long.toString(ttl.get(key)));
            args.add(Integer.toString(fields.size()));
            fields.forEach((f, v) -> {
                args.add(f);
                args.add(Long.toString(v));
            });
        });
        String[] k = keys.toArray(String[]::new);
        String[] a = args.toArray(String[]::new);
        StatefulRedisConnection<String, String> c = connection();
        RedisLink.eval(c.sync(), addSha, ADD, ScriptOutputType.INTEGER, k, a);
    }

    private static long keep(Resolution r) {
        return switch (r) {
            case MINUTE -> Duration.ofHours(49).toMillis();
            case HOUR -> Duration.ofDays(91).toMillis();
            case DAY -> Duration.ofDays(400).toMillis();
        };
    }

    private String key(Resolution r, long t) {
        return prefix + "usage:" + r.code() + ":" + t;
    }

    private static void fields(Map<String, Long> out, Dims d, UsageCell c) {
        String p = esc(d.model()) + "|" + esc(d.key()) + "|" + esc(d.upstream()) + "|" + esc(d.deployment()) + "|";
        put(out, p + "r", c.requests);
        put(out, p + "e", c.errors);
        c.errorsByCode().forEach((code, n) -> put(out, p + "ec:" + esc(code), n));
        put(out, p + "pt", c.promptTokens);
        put(out, p + "ct", c.cachedTokens);
        put(out, p + "ot", c.completionTokens);
        put(out, p + "rt", c.reasoningTokens);
        put(out, p + "cn", c.costNanos);
        put(out, p + "pr", c.pricedRequests);
        for (int b : c.latency.buckets()) {
            put(out, p + "l:" + b, c.latency.count(b));
        }
        for (int b : c.ttft.buckets()) {
            put(out, p + "f:" + b, c.ttft.count(b));
        }
    }

    private static void put(Map<String, Long> out, String field, long v) {
        if (v != 0) {
            out.merge(field, v, Long::sum);
        }
    }

    static String esc(String s) {
        return s.replace("%", "%25").replace("|", "%7C");
    }

    static String unesc(String s) {
        return s.replace("%7C", "|").replace("%25", "%");
    }

    @Override
    public NavigableMap<Long, Map<Dims, UsageCell>> read(Resolution step, long from, long to) {
        StatefulRedisConnection<String, String> c = connection();
        List<Long> starts = new ArrayList<>();
        List<RedisFuture<Map<String, String>>> futures = new ArrayList<>();
        for (long t = step.align(from); t < to; t += step.stepMillis()) {
            starts.add(t);
            futures.add(c.async().hgetall(key(step, t)));
        }
        if (!LettuceFutures.awaitAll(Duration.ofSeconds(5), futures.toArray(RedisFuture[]::new))) {
            throw new RedisException("reading the usage history from Redis timed out");
        }
        NavigableMap<Long, Map<Dims, UsageCell>> out = new TreeMap<>();
        for (int i = 0; i < starts.size(); i++) {
            Map<String, String> h;
            try {
                h = futures.get(i).get();
            } catch (Exception e) {
                throw new RedisException("reading the usage history from Redis failed", e);
            }
            if (h != null && !h.isEmpty()) {
                out.put(starts.get(i), cells(h));
            }
        }
        return out;
    }

    private static Map<Dims, UsageCell> cells(Map<String, String> hash) {
        Map<Dims, UsageCell> out = new HashMap<>();
        hash.forEach((field, value) -> {
            String[] p = field.split("\\|", -1);
            if (p.length != 5) {
                return;
            }
            long v;
            try {
                v = Long.parseLong(value);
            } catch (NumberFormatException e) {
                return;
            }
            UsageCell c = out.computeIfAbsent(new Dims(unesc(p[0]), unesc(p[1]), unesc(p[2]), unesc(p[3])),
                    k -> new UsageCell());
            String m = p[4];
            switch (m) {
                case "r" -> c.requests += v;
                case "e" -> c.errors += v;
                case "pt" -> c.promptTokens += v;
                case "ct" -> c.cachedTokens += v;
                case "ot" -> c.completionTokens += v;
                case "rt" -> c.reasoningTokens += v;
                case "cn" -> c.costNanos += v;
                case "pr" -> c.pricedRequests += v;
                default -> {
                    if (m.startsWith("ec:")) {
                        c.addCode(unesc(m.substring(3)), v);
                    } else if (m.startsWith("l:") || m.startsWith("f:")) {
                        int b;
                        try {
                            b = Integer.parseInt(m.substring(2));
                        } catch (NumberFormatException e) {
                            return;
                        }
                        if (b >= 0 && b < Histogram.BUCKETS) {
                            (m.charAt(0) == 'l' ? c.latency : c.ttft).add(b, v);
                        }
                    }
                }
            }
        });
        return out;
    }

    @Override
    public void close() {
        link.close();
    }
}
