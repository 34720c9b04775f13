package com.aoaigw.proxy.state;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The console state in Redis, shared by every replica: sessions under {@code <prefix>admin:session:<sha256>} with
 * their time to live, login failures as one hash per subject under {@code <prefix>admin:fail:<subject>} (check and
 * record in one Lua script, so replicas count attempts together and a burst gets exactly what the policy allows),
 * heartbeats under {@code <prefix>fleet:<replica>} with their time to live, listed in the set {@code <prefix>fleet}.
 *
 * <p>While Redis cannot be reached this process answers from a {@link LocalConsoleStore} (sessions made meanwhile
 * are valid on this replica only, and the throttle counts alone); the outage is logged once when it starts and once
 * when it ends. A separate connection from the limits', so neither waits behind the other.
 */
public final class RedisConsoleStore implements ConsoleStore {
    private static final System.Logger LOG = System.getLogger(RedisConsoleStore.class.getName());
    private static final long PROBE_MS = 500;

    /**
     * KEYS: subjects. ARGV: now, forgetMs, mode (acquire: check then record; fail: record; check: only check), then
     * the delays. Returns the longest running block in ms (0: allowed, and recorded unless mode is check).
     */
    static final String THROTTLE = """
            local now = tonumber(ARGV[1])
            local forget = tonumber(ARGV[2])
            local mode = ARGV[3]
            local nd = #ARGV - 3
            if mode ~= 'fail' then
              local longest = 0
              for _, k in ipairs(KEYS) do
                local v = redis.call('HMGET', k, 'c', 'l', 'b')
                if v[1] then
                  local l = tonumber(v[2])
                  local b = tonumber(v[3])
                  if now > l + forget and now > b then
                    redis.call('DEL', k)
                  elseif b - now > longest then
                    longest = b - now
                  end
                end
              end
              if longest > 0 or mode == 'check' then
                return longest
              end
            end
            for _, k in ipairs(KEYS) do
              local v = redis.call('HMGET', k, 'c', 'l')
              local c = 1
              if v[1] and now <= tonumber(v[2]) + forget then
                c = tonumber(v[1]) + 1
              end
              local d = tonumber(ARGV[3 + math.min(c, nd)])
              redis.call('HSET', k, 'c', c, 'l', now, 'b', now + d)
              redis.call('PEXPIRE', k, forget + d + 1000)
            end
            return 0
            """;

    private final RedisLink link;
    private final String prefix;
    private final LocalConsoleStore fallback = new LocalConsoleStore();
    private volatile String throttleSha;

    /**
     * Connects (or, when Redis is not reachable yet, starts in the outage state and keeps trying).
     *
     * @param url    {@code redis://} or {@code rediss://} URL, password included
     * @param prefix prefix of every key
     */
    public RedisConsoleStore(String url, String prefix) {
        this.prefix = prefix;
        this.link = new RedisLink(url, Duration.ofSeconds(1), Duration.ofSeconds(1),
                c -> throttleSha = c.sync().scriptLoad(THROTTLE));
        try {
            link.connect();
        } catch (RuntimeException e) {
            down(e);
        }
    }

    /** Runs a command on Redis, or on the fallback while Redis is down. */
    private <T> T run(Function<RedisCommands<String, String>, T> redis, Function<LocalConsoleStore, T> local) {
        StatefulRedisConnection<String, String> c = link.connection();
        if (link.up() && c != null) {
            try {
                return redis.apply(c.sync());
            } catch (RedisException e) {
                down(e);
            }
        }
        return local.apply(fallback);
    }

    private String sessionKey(String hash) {
        return prefix + "admin:session:" + hash;
    }

    private String failKey(String subject) {
        return prefix + "admin:fail:" + subject;
    }

    @Override
    public void putSession(String hash, String value, long ttlMs) {
        run(r -> r.set(sessionKey(hash), value, SetArgs.Builder.px(Math.max(1, ttlMs))),
                l -> {
                    l.putSession(hash, value, ttlMs);
                    return null;
                });
    }

    @Override
    public boolean replaceSession(String hash, String value, long ttlMs) {
        return run(r -> "OK".equals(r.set(sessionKey(hash), value, SetArgs.Builder.px(Math.max(1, ttlMs)).xx())),
                l -> l.replaceSession(hash, value, ttlMs));
    }

    @Override
    public Optional<String> session(String hash) {
        return run(r -> Optional.ofNullable(r.get(sessionKey(hash))), l -> l.session(hash));
    }

    @Override
    public void removeSession(String hash) {
        run(r -> r.del(sessionKey(hash)), l -> {
            l.removeSession(hash);
            return null;
        });
        // a session made on this replica during an outage ends too
        fallback.removeSession(hash);
    }

    @Override
    public void clearSessions() {
        run(r -> {
            ScanCursor cursor = ScanCursor.INITIAL;
            ScanArgs match = ScanArgs.Builder.matches(prefix + "admin:session:*").limit(500);
            do {
                KeyScanCursor<String> page = r.scan(cursor, match);
                if (!page.getKeys().isEmpty()) {
                    r.del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
            return null;
        }, l -> null);
        fallback.clearSessions();
    }

    @Override
    public long acquire(long now, List<String> subjects, long[] delays, long forgetMs) {
        return run(r -> throttle(r, now, subjects, delays, forgetMs, "acquire"),
                l -> l.acquire(now, subjects, delays, forgetMs));
    }

    @Override
    public void fail(long now, List<String> subjects, long[] delays, long forgetMs) {
        run(r -> throttle(r, now, subjects, delays, forgetMs, "fail"), l -> {
            l.fail(now, subjects, delays, forgetMs);
            return 0L;
        });
    }

    @Override
    public long blocked(long now, List<String> subjects, long forgetMs) {
        return run(r -> throttle(r, now, subjects, new long[] {0}, forgetMs, "check"),
                l -> l.blocked(now, subjects, forgetMs));
    }

    @Override
    public Optional<Failures> failures(long now, String subject, long forgetMs) {
        return run(r -> {
            List<KeyValue<String, String>> v = r.hmget(failKey(subject), "c", "l", "b");
            if (v.size() < 3 || !v.get(0).hasValue() || !v.get(1).hasValue() || !v.get(2).hasValue()) {
                return Optional.<Failures>empty();
            }
            Failures f = new Failures(Integer.parseInt(v.get(0).getValue()), Long.parseLong(v.get(1).getValue()),
                    Long.parseLong(v.get(2).getValue()));
            return now > f.lastMillis() + forgetMs ? Optional.<Failures>empty() : Optional.of(f);
        }, l -> l.failures(now, subject, forgetMs));
    }

    @Override
    public void forget(List<String> subjects) {
        if (subjects.isEmpty()) {
            return;
        }
        run(r -> r.del(subjects.stream().map(this::failKey).toArray(String[]::new)), l -> {
            l.forget(subjects);
            return 0L;
        });
        fallback.forget(subjects);
    }

    private long throttle(RedisCommands<String, String> r, long now, List<String> subjects, long[] delays,
                          long forgetMs, String mode) {
        String[] keys = subjects.stream().map(this::failKey).toArray(String[]::new);
        String[] args = new String[3 + delays.length];
        args[0] = Long.toString(now);
        args[1] = Long.toString(forgetMs);
        args[2] = mode;
        for (int i = 0; i < delays.length; i++) {
            args[3 + i] = Long.toString(delays[i]);
        }
        Long out = RedisLink.eval(r, throttleSha, THROTTLE, ScriptOutputType.INTEGER, keys, args);
        return out == null ? 0 : out;
    }

    @Override
    public void beat(String replica, String value, long ttlMs) {
        run(r -> {
            r.set(prefix + "fleet:" + replica, value, SetArgs.Builder.px(Math.max(1, ttlMs)));
            r.sadd(prefix + "fleet", replica);
            return null;
        }, l -> {
            l.beat(replica, value, ttlMs);
            return null;
        });
    }

    @Override
    public Map<String, String> replicas() {
        return run(r -> {
            List<String> ids = new ArrayList<>(r.smembers(prefix + "fleet"));
            Map<String, String> out = new LinkedHashMap<>();
            if (ids.isEmpty()) {
                return out;
            }
            List<KeyValue<String, String>> values = r.mget(ids.stream().map(id -> prefix + "fleet:" + id)
                    .toArray(String[]::new));
            List<String> gone = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                KeyValue<String, String> kv = values.get(i);
                if (kv.hasValue()) {
                    out.put(ids.get(i), kv.getValue());
                } else {
                    gone.add(ids.get(i));
                }
            }
            if (!gone.isEmpty()) {
                r.srem(prefix + "fleet", gone.toArray(String[]::new));
            }
            return out;
        }, LocalConsoleStore::replicas);
    }

    @Override
    public String mode() {
        return "redis";
    }

    @Override
    public boolean up() {
        return link.up();
    }

    @Override
    public void close() {
        link.close();
    }

    private void down(RuntimeException cause) {
        if (!link.markDown()) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "admin console: Redis unreachable (" + cause.getClass().getSimpleName()
                + "); sessions, login throttling and the fleet view are this replica's own until it is back");
        link.probeUntilBack("redis-console-probe", PROBE_MS, c -> LOG.log(System.Logger.Level.INFO,
                "admin console: Redis reachable again; sessions and the fleet view are shared again"));
    }
}
