package com.aoaigw.proxy.state;

/**
 * The Lua scripts of {@link RedisSharedState}. Each runs atomically in Redis, so an admission checks and reserves
 * every limit in one round trip and two replicas can never both take the last place.
 *
 * <p>A window is a hash of one-second buckets (field = epoch second, value = amount) plus three fields that make
 * an admission O(1): {@code t} the sum of the buckets kept, {@code o} the oldest second kept (every bucket before it
 * was removed and taken off {@code t}) and {@code n} the newest bucket second written (the key's time to live is
 * set when {@code n} moves, so it outlives its newest bucket). Each call drops only the buckets that left the window
 * since the last one (usually none or one); a hash without {@code o} (new, or idle for longer than a window) is
 * recounted in full. Periods are plain counters (an admission reads all of its own with one MGET), slots are sorted
 * sets of holders scored by lease expiry (the expired leases are dropped when the slots look full, and on a read).
 *
 * <p>Both scripts first apply the charges this replica has queued (each with its own time), so charges ride along
 * with admissions and reads instead of costing round trips of their own; KEYS are the charged keys first, then the
 * checked ones, and the arguments follow the same order.
 */
final class RedisScripts {
    private RedisScripts() {
    }

    /** Shared helpers: the window's total with the buckets that left it dropped, the slot count, a window add. */
    private static final String COMMON = """
            local now, nowS, oldest
            local function clock(t)
              now = t
              nowS = math.floor(t / 1000)
              oldest = nowS - 60
            end
            local function window(key, s)
              local v = redis.call('HMGET', key, 't', 'o', 'n', s)
              local t, o, n, cur = tonumber(v[1]), tonumber(v[2]), tonumber(v[3]), tonumber(v[4] or '0')
              if o == nil or t == nil or oldest - o > 64 then
                local h = redis.call('HGETALL', key)
                local dead, live = {}, 0
                t = 0
                for j = 1, #h, 2 do
                  local b = tonumber(h[j])
                  if b ~= nil then
                    if b < oldest then
                      dead[#dead + 1] = h[j]
                    else
                      t = t + tonumber(h[j + 1])
                      live = live + 1
                    end
                  end
                end
                if live == 0 then
                  if #h > 0 then redis.call('DEL', key) end
                  return 0, nil, nil, 0
                end
                if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
                o = oldest
                redis.call('HSET', key, 't', t, 'o', o)
              elseif o < oldest then
                local f = {}
                for b = o, oldest - 1 do f[#f + 1] = b end
                local c = redis.call('HMGET', key, unpack(f))
                local dead = {}
                for j = 1, #f do
                  if c[j] then
                    t = t - tonumber(c[j])
                    dead[#dead + 1] = f[j]
                  end
                end
                if #dead > 0 then redis.call('HDEL', key, unpack(dead)) end
                o = oldest
                redis.call('HSET', key, 't', t, 'o', o)
              end
              return t, o, n, cur
            end
            local function add(key, b, amount, t, o, n, cur)
              if o == nil then
                redis.call('HSET', key, b, amount, 't', amount, 'o', oldest, 'n', b)
                redis.call('PEXPIRE', key, 62000)
                return
              end
              if b < o or cur == nil then
                if b < o then b = o end
                cur = tonumber(redis.call('HGET', key, b) or '0')
              end
              if n == nil or b > n then
                redis.call('HSET', key, b, cur + amount, 't', t + amount, 'n', b)
                redis.call('PEXPIRE', key, 62000)
              else
                redis.call('HSET', key, b, cur + amount, 't', t + amount)
              end
            end
            local function buckets(key)
              local h = redis.call('HGETALL', key)
              local out = {}
              for j = 1, #h, 2 do
                local s = tonumber(h[j])
                if s ~= nil and s >= oldest then out[#out + 1] = {s, tonumber(h[j + 1])} end
              end
              table.sort(out, function(x, y) return x[1] < y[1] end)
              return out
            end
            local function newest(key)
              local bs, r = buckets(key), 0
              for _, bk in ipairs(bs) do
                if bk[2] > 0 then r = (bk[1] + 61) * 1000 - now end
              end
              return r
            end
            local function slots(key)
              redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
              return redis.call('ZCARD', key)
            end
            local function charges(ck, a)
            for i = 1, #ck do
              local kind = string.sub(ck, i, i)
              local key = KEYS[i]
              if kind == 'w' then
                clock(tonumber(ARGV[a]))
                local at, reserved, actual = tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2]), tonumber(ARGV[a + 3])
                a = a + 4
                local atS = math.floor(at / 1000)
                local t, o, n, cur = window(key, atS)
                if atS >= oldest and (o == nil or atS >= o) then
                  local d = actual - reserved
                  if cur + d < 0 then d = -cur end
                  if o == nil then
                    if d > 0 then add(key, atS, d, t, nil, nil, 0) end
                  elseif d ~= 0 then
                    add(key, atS, d, t, o, n, cur)
                  end
                elseif actual > 0 then
                  add(key, nowS, actual, t, o, n, nil)
                end
              elseif kind == 'p' then
                local delta = tonumber(ARGV[a])
                if delta ~= 0 then
                  local v = redis.call('INCRBY', key, delta)
                  if v < 0 then redis.call('SET', key, 0, 'KEEPTTL') end
                  if v <= delta then redis.call('PEXPIREAT', key, tonumber(ARGV[a + 1]) + 86400000) end
                end
                a = a + 2
              else
                local count = tonumber(ARGV[a])
                redis.call('ZREM', key, unpack(ARGV, a + 1, a + count))
                a = a + 1 + count
              end
            end
            return a
            end
            """;

    /**
     * Charges, then any number of admissions, each on its own (one refused does not change the others). ARGV[1] is
     * the number of admissions, ARGV[2] one letter per charged key; then per charged key by kind: w: the charge's
     * time (epoch ms), at ms, reserved, actual; p: delta, reset epoch ms; r: the number of holders, the holders; then
     * per admission its time (epoch ms), one letter per checked key, and per checked key by kind: w: limit, amount;
     * p: limit, amount, reset epoch ms; s: limit, holder, lease ms. Returns per admission {refused index (0-based, -1 admitted), retry ms,
     * used..., reset...}, one after the other. The reset of a window (when its
     * newest counted bucket leaves it) and the retry of a refused window (when enough buckets drained) are worked
     * out from the buckets only when the admission is refused; an admitted request's own bucket resets in 61 s.
     */
    static final String ADMIT = COMMON + """
            local out = {}
            local function admitOne(kinds, nc, a)
            local n = #kinds
            local used, reset, wt, wo, wn, wc = {}, {}, {}, {}, {}, {}
            local arg = {}
            local pk, pi, pv = {}, {}, {}
            for i = 1, n do
              if string.sub(kinds, i, i) == 'p' then
                pk[#pk + 1] = KEYS[nc + i]
                pi[i] = #pk
              end
            end
            if #pk > 0 then pv = redis.call('MGET', unpack(pk)) end
            for i = 1, n do
              local kind = string.sub(kinds, i, i)
              local limit, amount = tonumber(ARGV[a]), 1
              if kind ~= 's' then amount = tonumber(ARGV[a + 1]) end
              arg[i] = a
              local need = amount
              if need < 1 then need = 1 end
              local u, r, retry = 0, 0, 0
              if kind == 'w' then
                a = a + 2
                u, wo[i], wn[i], wc[i] = window(KEYS[nc + i], nowS)
                wt[i] = u
                if u + need > limit then
                  local bs = buckets(KEYS[nc + i])
                  retry = 60000
                  local left = u
                  for _, bk in ipairs(bs) do
                    left = left - bk[2]
                    if left + need <= limit then
                      retry = (bk[1] + 61) * 1000 - now
                      if retry < 1 then retry = 1 end
                      break
                    end
                  end
                end
              elseif kind == 'p' then
                u = tonumber(pv[pi[i]] or '0')
                r = tonumber(ARGV[a + 2]) - now
                if r < 0 then r = 0 end
                retry = r
                a = a + 3
              else
                -- leases of dead replicas matter only when the slots look full
                u = redis.call('ZCARD', KEYS[nc + i])
                if u + need > limit then u = slots(KEYS[nc + i]) end
                retry = 1000
                a = a + 3
              end
              used[i], reset[i] = u, r
              if u + need > limit then
                out[#out + 1] = i - 1
                out[#out + 1] = retry
                for j = 1, n do out[#out + 1] = used[j] or 0 end
                for j = 1, n do
                  if j <= i and string.sub(kinds, j, j) == 'w' then reset[j] = newest(KEYS[nc + j]) end
                  out[#out + 1] = reset[j] or 0
                end
                return
              end
            end
            for i = 1, n do
              local kind = string.sub(kinds, i, i)
              local b = arg[i]
              local amount = 1
              if kind ~= 's' then amount = tonumber(ARGV[b + 1]) end
              if kind == 'w' then
                if amount > 0 then add(KEYS[nc + i], nowS, amount, wt[i], wo[i], wn[i], wc[i]) end
                reset[i] = 61000 - (now % 1000)
              elseif kind == 'p' then
                if amount > 0 and redis.call('INCRBY', KEYS[nc + i], amount) == amount then
                  redis.call('PEXPIREAT', KEYS[nc + i], tonumber(ARGV[b + 2]) + 86400000)
                end
              else
                local lease = tonumber(ARGV[b + 2])
                redis.call('ZADD', KEYS[nc + i], now + lease, ARGV[b + 1])
                if redis.call('PTTL', KEYS[nc + i]) < lease then redis.call('PEXPIRE', KEYS[nc + i], lease) end
              end
              used[i] = used[i] + amount
            end
            out[#out + 1] = -1
            out[#out + 1] = 0
            for j = 1, n do out[#out + 1] = used[j] end
            for j = 1, n do out[#out + 1] = reset[j] end
            end
            local m = tonumber(ARGV[1])
            local ck = ARGV[2]
            local nc = #ck
            local a = charges(ck, 3)
            for x = 1, m do
              local kinds = ARGV[a + 1]
              clock(tonumber(ARGV[a]))
              a = a + 2
              admitOne(kinds, nc, a)
              for i = 1, #kinds do
                if string.sub(kinds, i, i) == 'w' then a = a + 2 else a = a + 3 end
              end
              nc = nc + #kinds
            end
            return out
            """;

    /**
     * Charges, then a read. ARGV[1] is the time (epoch ms), ARGV[2] one letter per read key, ARGV[3] one letter per
     * charged key, then the charges' arguments as for {@link #ADMIT}. Returns what each read key holds.
     */
    static final String READ = COMMON + """
            local ck = ARGV[3]
            local nc = #ck
            charges(ck, 4)
            clock(tonumber(ARGV[1]))
            local kinds = ARGV[2]
            local out = {}
            for i = 1, #kinds do
              local kind = string.sub(kinds, i, i)
              if kind == 'w' then
                local total = window(KEYS[nc + i], nowS)
                out[i] = total
              elseif kind == 'p' then
                out[i] = tonumber(redis.call('GET', KEYS[nc + i]) or '0')
              else
                out[i] = slots(KEYS[nc + i])
              end
            end
            return out
            """;
}
