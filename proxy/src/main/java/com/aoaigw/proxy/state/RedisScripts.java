package com.aoaigw.proxy.state;

/**
 * The Lua scripts of {@link RedisSharedState}. Each runs atomically in Redis, so an admission checks and reserves
 * every limit in one round trip and two replicas can never both take the last place. Windows are hashes of
 * one-second buckets (field = epoch second, value = amount), periods are plain counters, slots are sorted sets of
 * holders scored by lease expiry. ARGV[1] is the caller's time in epoch milliseconds; then five arguments per key.
 */
final class RedisScripts {
    private RedisScripts() {
    }

    /** Shared helpers: window sum with old buckets dropped, slot count with expired leases dropped. */
    private static final String COMMON = """
            local now = tonumber(ARGV[1])
            local nowS = math.floor(now / 1000)
            local oldest = nowS - 60
            local function window(key)
              local h = redis.call('HGETALL', key)
              local total, newest, buckets = 0, nil, {}
              for j = 1, #h, 2 do
                local s, c = tonumber(h[j]), tonumber(h[j + 1])
                if s < oldest then
                  redis.call('HDEL', key, h[j])
                else
                  total = total + c
                  buckets[#buckets + 1] = {s, c}
                  if c > 0 and (newest == nil or s > newest) then newest = s end
                end
              end
              return total, newest, buckets
            end
            local function slots(key)
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
              return redis.call('ZCARD', key)
            end
            """;

    /**
     * Admission. Per key: type (w|p|s), limit, amount, extra1 (p: reset epoch ms; s: holder), extra2 (s: lease ms).
     * Returns {refused index (0-based, -1 admitted), retry ms, used..., reset ms...}.
     */
    static final String ADMIT = COMMON + """
            local n = #KEYS
            local used, reset = {}, {}
            for i = 1, n do
              local b = 1 + (i - 1) * 5
              local kind, limit, amount = ARGV[b + 1], tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
              local need = amount
              if need < 1 then need = 1 end
              local u, r, retry = 0, 0, 0
              if kind == 'w' then
                local total, newest, buckets = window(KEYS[i])
                u = total
                if newest ~= nil then r = (newest + 61) * 1000 - now end
                if u + need > limit then
                  table.sort(buckets, function(x, y) return x[1] < y[1] end)
                  retry = 60000
                  local left = total
                  for _, bk in ipairs(buckets) do
                    left = left - bk[2]
                    if left + need <= limit then
                      retry = (bk[1] + 61) * 1000 - now
                      if retry < 1 then retry = 1 end
                      break
                    end
                  end
                end
              elseif kind == 'p' then
                u = tonumber(redis.call('GET', KEYS[i]) or '0')
                r = tonumber(ARGV[b + 4]) - now
                if r < 0 then r = 0 end
                retry = r
              else
                u = slots(KEYS[i])
                retry = 1000
              end
              used[i], reset[i] = u, r
              if u + need > limit then
                local out = {i - 1, retry}
                for j = 1, n do out[#out + 1] = used[j] or 0 end
                for j = 1, n do out[#out + 1] = reset[j] or 0 end
                return out
              end
            end
            for i = 1, n do
              local b = 1 + (i - 1) * 5
              local kind, amount = ARGV[b + 1], tonumber(ARGV[b + 3])
              if kind == 'w' then
                if amount > 0 then redis.call('HINCRBY', KEYS[i], nowS, amount) end
                redis.call('PEXPIRE', KEYS[i], 62000)
                reset[i] = 61000 - (now % 1000)
              elseif kind == 'p' then
                if amount > 0 then redis.call('INCRBY', KEYS[i], amount) end
                redis.call('PEXPIREAT', KEYS[i], tonumber(ARGV[b + 4]) + 86400000)
              else
                local lease = tonumber(ARGV[b + 5])
                redis.call('ZADD', KEYS[i], now + lease, ARGV[b + 4])
                if redis.call('PTTL', KEYS[i]) < lease then redis.call('PEXPIRE', KEYS[i], lease) end
              end
              used[i] = used[i] + amount
            end
            local out = {-1, 0}
            for j = 1, n do out[#out + 1] = used[j] end
            for j = 1, n do out[#out + 1] = reset[j] end
            return out
            """;

    /**
     * Charge. Per key: type (w|p|r), then w: at ms, reserved, actual; p: delta, reset epoch ms; r: holder.
     * Returns the number of keys handled.
     */
    static final String CHARGE = COMMON + """
            for i = 1, #KEYS do
              local b = 1 + (i - 1) * 5
              local kind = ARGV[b + 1]
              if kind == 'w' then
                local at, reserved, actual = tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3]), tonumber(ARGV[b + 4])
                local atS = math.floor(at / 1000)
                if atS >= oldest then
                  if actual ~= reserved then
                    local v = redis.call('HINCRBY', KEYS[i], atS, actual - reserved)
                    if v < 0 then redis.call('HSET', KEYS[i], atS, 0) end
                  end
                elseif actual > 0 then
                  redis.call('HINCRBY', KEYS[i], nowS, actual)
                end
                redis.call('PEXPIRE', KEYS[i], 62000)
              elseif kind == 'p' then
                local delta = tonumber(ARGV[b + 2])
                if delta ~= 0 then
                  local v = redis.call('INCRBY', KEYS[i], delta)
                  if v < 0 then redis.call('SET', KEYS[i], 0, 'KEEPTTL') end
                end
                redis.call('PEXPIREAT', KEYS[i], tonumber(ARGV[b + 3]) + 86400000)
              else
                redis.call('ZREM', KEYS[i], ARGV[b + 2])
              end
            end
            return #KEYS
            """;

    /** Read. Per key: type (w|p|s) and four unused arguments. Returns what each holds. */
    static final String READ = COMMON + """
            local out = {}
            for i = 1, #KEYS do
              local kind = ARGV[2 + (i - 1) * 5]
              if kind == 'w' then
                local total = window(KEYS[i])
                out[i] = total
              elseif kind == 'p' then
                out[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
              else
                out[i] = slots(KEYS[i])
              end
            end
            return out
            """;
}
