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
     * per admission its time (epoch ms), one letter per checked key, how many more admissions it asks to reserve
     * ahead ({@link Grant}), and per checked key by kind: w: limit, amount, amount per admission ahead; p: limit,
     * amount, reset epoch ms, amount per admission ahead; s: limit, holder, lease ms, holders per admission ahead (0
     * when the replica still has enough reserved holders to hand out again, else 1). An admitted admission reserves
     * as many of those as every limit has room for while keeping 15/16 of the room it left (slot holders ahead are
     * named {@code holder#1..n}). Returns per admission {refused index (0-based, -1 admitted), retry ms, used...,
     * reset..., admissions reserved ahead}, one after the other; used includes what was reserved ahead. The
     * admissions of one call keep each key's window, counter and slot
     * count in the script's own variables and write each key once at the end (a window also before its buckets are
     * walked for a refusal, or when the second changes): the same answers as one call per admission, far fewer
     * calls into Redis for a busy key. The reset of a window (when its
     * newest counted bucket leaves it) and the retry of a refused window (when enough buckets drained) are worked
     * out from the buckets only when the admission is refused; an admitted request's own bucket resets in 61 s.
     */
    static final String ADMIT = COMMON + """
            local out = {}
            -- period counters and slot counts as this call has left them so far; what its admissions reserved is
            -- written once per key at the end (pd/pr: amount and reset per counter; sa/sl: slot entries and the
            -- longest lease per slot set; pkeys/skeys: the order to write them in)
            local pv, pd, pr, pkeys = {}, {}, {}, {}
            local sc, sa, sl, skeys = {}, {}, {}, {}
            -- windows as this call has left them so far, per key: the second s they were read for, total t,
            -- oldest o and newest n kept, the bucket cur of second s, whether the hash was new (nw) and changed
            local wc = {}
            local function wput(key)
              local e = wc[key]
              wc[key] = nil
              if e == nil or not e.changed then return end
              if e.nw then
                redis.call('HSET', key, e.s, e.cur, 't', e.t, 'o', e.o, 'n', e.s)
                redis.call('PEXPIRE', key, 62000)
              elseif e.n == nil or e.s > e.n then
                redis.call('HSET', key, e.s, e.cur, 't', e.t, 'n', e.s)
                redis.call('PEXPIRE', key, 62000)
              else
                redis.call('HSET', key, e.s, e.cur, 't', e.t)
              end
            end
            local function wget(key)
              local e = wc[key]
              if e ~= nil and e.s == nowS then return e end
              wput(key)
              local t, o, n, cur = window(key, nowS)
              e = {s = nowS, t = t, o = o, n = n, cur = cur, nw = (o == nil), changed = false}
              wc[key] = e
              return e
            end
            local function slotsNow(key)
              if sa[key] and #sa[key] > 0 then
                redis.call('ZADD', key, unpack(sa[key]))
                sa[key] = {}
              end
              sc[key] = slots(key)
              return sc[key]
            end
            local function admitOne(kinds, nc, a, wish)
            local n = #kinds
            local used, reset = {}, {}
            local arg = {}
            local pk = {}
            for i = 1, n do
              if string.sub(kinds, i, i) == 'p' and pv[KEYS[nc + i]] == nil then pk[#pk + 1] = KEYS[nc + i] end
            end
            if #pk > 0 then
              local v = redis.call('MGET', unpack(pk))
              for j = 1, #pk do pv[pk[j]] = tonumber(v[j] or '0') end
            end
            for i = 1, n do
              local kind = string.sub(kinds, i, i)
              local limit, amount = tonumber(ARGV[a]), 1
              if kind ~= 's' then amount = tonumber(ARGV[a + 1]) end
              arg[i] = a
              local need = amount
              if need < 1 then need = 1 end
              local u, r, retry = 0, 0, 0
              if kind == 'w' then
                a = a + 3
                u = wget(KEYS[nc + i]).t
                if u + need > limit then
                  wput(KEYS[nc + i])
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
                u = pv[KEYS[nc + i]]
                r = tonumber(ARGV[a + 2]) - now
                if r < 0 then r = 0 end
                retry = r
                a = a + 4
              else
                -- leases of dead replicas matter only when the slots look full
                local key = KEYS[nc + i]
                if sc[key] == nil then sc[key] = redis.call('ZCARD', key) end
                u = sc[key]
                if u + need > limit then u = slotsNow(key) end
                retry = 1000
                a = a + 4
              end
              used[i], reset[i] = u, r
              if u + need > limit then
                out[#out + 1] = i - 1
                out[#out + 1] = retry
                for j = 1, n do out[#out + 1] = used[j] or 0 end
                for j = 1, n do
                  if j <= i and string.sub(kinds, j, j) == 'w' then
                    wput(KEYS[nc + j])
                    reset[j] = newest(KEYS[nc + j])
                  end
                  out[#out + 1] = reset[j] or 0
                end
                out[#out + 1] = 0
                return
              end
            end
            -- admitted: reserve up to wish more admissions of the same size for the replica to hand out on its own,
            -- as long as each limit keeps at least 15/16 of the room this admission left
            local g = wish
            if g > 0 then
              for i = 1, n do
                local b = arg[i]
                local kind = string.sub(kinds, i, i)
                local amount, unit = 1, 1
                if kind == 'w' then
                  amount, unit = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 2])
                elseif kind == 'p' then
                  amount, unit = tonumber(ARGV[b + 1]), tonumber(ARGV[b + 3])
                else
                  unit = tonumber(ARGV[b + 3])
                end
                -- a slot set asked for no holders ahead does not bound the reservation
                if kind ~= 's' or unit > 0 then
                  local room = tonumber(ARGV[b]) - used[i] - amount
                  if unit < 1 then unit = 1 end
                  local fit = math.floor(room / (16 * unit))
                  if fit < g then g = fit end
                end
              end
              if g < 0 then g = 0 end
            end
            for i = 1, n do
              local kind = string.sub(kinds, i, i)
              local b = arg[i]
              local amount
              if kind == 'w' then
                amount = tonumber(ARGV[b + 1]) + g * tonumber(ARGV[b + 2])
              elseif kind == 'p' then
                amount = tonumber(ARGV[b + 1]) + g * tonumber(ARGV[b + 3])
              else
                amount = 1 + g * tonumber(ARGV[b + 3])
              end
              if kind == 'w' then
                if amount > 0 then
                  local key = KEYS[nc + i]
                  local e = wget(key)
                  if e.nw then
                    if e.o == nil then e.o, e.t, e.cur = oldest, 0, 0 end
                    e.t, e.cur, e.changed = e.t + amount, e.cur + amount, true
                  elseif e.o > nowS then
                    -- a replica whose clock is ahead moved the window on: add as one by one
                    wput(key)
                    local t, o, wn, cur = window(key, nowS)
                    add(key, nowS, amount, t, o, wn, nil)
                  else
                    e.t, e.cur, e.changed = e.t + amount, e.cur + amount, true
                  end
                end
                reset[i] = 61000 - (now % 1000)
              elseif kind == 'p' then
                local key = KEYS[nc + i]
                if amount > 0 then
                  if pd[key] == nil then
                    pd[key] = 0
                    pkeys[#pkeys + 1] = key
                  end
                  pv[key] = pv[key] + amount
                  pd[key] = pd[key] + amount
                  pr[key] = tonumber(ARGV[b + 2])
                end
              else
                local key = KEYS[nc + i]
                local lease = tonumber(ARGV[b + 2])
                if sa[key] == nil then
                  sa[key] = {}
                  sl[key] = 0
                  skeys[#skeys + 1] = key
                end
                local e = sa[key]
                e[#e + 1] = now + lease
                e[#e + 1] = ARGV[b + 1]
                for j = 1, amount - 1 do
                  e[#e + 1] = now + lease
                  e[#e + 1] = ARGV[b + 1] .. '#' .. j
                end
                if lease > sl[key] then sl[key] = lease end
                sc[key] = sc[key] + amount
              end
              used[i] = used[i] + amount
            end
            out[#out + 1] = -1
            out[#out + 1] = 0
            for j = 1, n do out[#out + 1] = used[j] end
            for j = 1, n do out[#out + 1] = reset[j] end
            out[#out + 1] = g
            end
            local m = tonumber(ARGV[1])
            local ck = ARGV[2]
            local nc = #ck
            local a = charges(ck, 3)
            for x = 1, m do
              local kinds = ARGV[a + 1]
              local wish = tonumber(ARGV[a + 2])
              clock(tonumber(ARGV[a]))
              a = a + 3
              admitOne(kinds, nc, a, wish)
              for i = 1, #kinds do
                if string.sub(kinds, i, i) == 'w' then a = a + 3 else a = a + 4 end
              end
              nc = nc + #kinds
            end
            for key, _ in pairs(wc) do wput(key) end
            for _, key in ipairs(pkeys) do
              if redis.call('INCRBY', key, pd[key]) == pd[key] then
                redis.call('PEXPIREAT', key, pr[key] + 86400000)
              end
            end
            for _, key in ipairs(skeys) do
              if #sa[key] > 0 then redis.call('ZADD', key, unpack(sa[key])) end
              if redis.call('PTTL', key) < sl[key] then redis.call('PEXPIRE', key, sl[key]) end
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
