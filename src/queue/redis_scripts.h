/* redis_scripts.h - the Lua scripts of the redis queue backend; each runs atomically in Redis.
 * KEYS: 1 stream, 2 delayed (zset), 3 dead (hash), 4 run-key prefix, 5 counters (hash).
 * A run's hash (prefix..run_id) holds state (queued|running|delayed|done|cancelled|dead),
 * attempt (deliveries so far), max, from, payload, entry (its current stream entry id),
 * cancel (1 = cancelled while running) and last_error. */
#ifndef YAA_QUEUE_REDIS_SCRIPTS_H
#define YAA_QUEUE_REDIS_SCRIPTS_H

/* Shared prologue: the owner check of a pending entry. */
#define RQ_OWNER                                                                             \
    "local function owner(e) local p = redis.call('XPENDING', KEYS[1], 'workers', e, e, 1) " \
    "if #p == 0 then return nil end return p[1][2] end\n"                                    \
    "local function nowms() local t = redis.call('TIME') "                                   \
    "return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end\n"

/* settle(entry, worker, run): the worker is done with its entry (ack, release). nil when
 * another worker owns it; else the entry is acknowledged and deleted and the run's key is
 * returned with whether the run is still running on that entry. */
#define RQ_SETTLE                                                                             \
    "local function settle(e, w, run) local o = owner(e)\n"                                   \
    "if o and o ~= w then return nil end\n"                                                   \
    "redis.call('XACK', KEYS[1], 'workers', e) redis.call('XDEL', KEYS[1], e)\n"              \
    "local rk = KEYS[4] .. run\n"                                                             \
    "return rk, redis.call('HGET', rk, 'entry') == e and redis.call('HGET', rk, 'state') == " \
    "'running' end\n"

/* ARGV: run_id, from_stage, payload, max_attempts -> 1 created, 0 already queued/running. */
static const char RQ_ENQUEUE[] =
    "local rk = KEYS[4] .. ARGV[1]\n"
    "local st = redis.call('HGET', rk, 'state')\n"
    "if st == 'queued' or st == 'running' or st == 'delayed' then return 0 end\n"
    "local id = redis.call('XADD', KEYS[1], '*', 'run', ARGV[1])\n"
    "redis.call('HSET', rk, 'state', 'queued', 'attempt', 0, 'max', ARGV[4], 'from', ARGV[2],\n"
    "  'payload', ARGV[3], 'entry', id, 'cancel', 0, 'last_error', '')\n"
    "redis.call('PERSIST', rk)\n"
    "redis.call('HDEL', KEYS[3], ARGV[1])\n"
    "return 1\n";

/* start(entry, run, now, own): {attempt, max, from, payload} when the job starts, {0} when
 * the entry is stale or cancelled (acked away), {-1, attempts} when it went dead (lease expired
 * on its last attempt). own: the entry is already pending under the claiming worker and the
 * job is running, so the reply of the claim that started it was lost (a worker claims only
 * when idle); that attempt is resumed, not counted twice. */
#define RQ_START_FN                                                                            \
    "local function start(eid, run, now, own)\n"                                               \
    "local rk = KEYS[4] .. run\n"                                                              \
    "local function drop() redis.call('XACK', KEYS[1], 'workers', eid) "                       \
    "redis.call('XDEL', KEYS[1], eid) end\n"                                                   \
    "local st = redis.call('HGET', rk, 'state')\n"                                             \
    "if redis.call('HGET', rk, 'entry') ~= eid or (st ~= 'queued' and st ~= 'running') then\n" \
    "  drop() return {0} end\n"                                                                \
    "if redis.call('HGET', rk, 'cancel') == '1' then\n"                                        \
    "  drop() redis.call('HSET', rk, 'state', 'cancelled')\n"                                  \
    "  redis.call('HINCRBY', KEYS[5], 'cancelled', 1) return {0} end\n"                        \
    "if own and st == 'running' then\n"                                                        \
    "  return {tonumber(redis.call('HGET', rk, 'attempt')), "                                  \
    "tonumber(redis.call('HGET', rk, 'max')), redis.call('HGET', rk, 'from') or '', "          \
    "redis.call('HGET', rk, 'payload') or ''} end\n"                                           \
    "local a = redis.call('HINCRBY', rk, 'attempt', 1)\n"                                      \
    "local max = tonumber(redis.call('HGET', rk, 'max'))\n"                                    \
    "if a > max then\n"                                                                        \
    "  drop()\n"                                                                               \
    "  local e = 'lease expired (worker lost)'\n"                                              \
    "  redis.call('HSET', rk, 'state', 'dead', 'last_error', e)\n"                             \
    "  redis.call('HSET', KEYS[3], run, cjson.encode({run_id = run, attempts = a - 1,\n"       \
    "    last_error = e, failed_at = now}))\n"                                                 \
    "  return {-1, a - 1} end\n"                                                               \
    "redis.call('HSET', rk, 'state', 'running')\n"                                             \
    "return {a, max, redis.call('HGET', rk, 'from') or '', "                                   \
    "redis.call('HGET', rk, 'payload') or ''}\n"                                               \
    "end\n"

/* ARGV: entry, run_id, now (RFC 3339) -> start()'s reply. */
static const char RQ_START[] = RQ_START_FN "return start(ARGV[1], ARGV[2], ARGV[3], false)\n";

/* One round trip for a claim that need not wait. ARGV: worker, lease_ms, autoclaim cursor, now.
 * Moves due retries to the stream, then takes (1) an entry already pending under this worker
 * (its reply was lost, e.g. in a Redis restart; a worker claims only when idle), (2) an entry
 * idle longer than the lease (its worker died: XAUTOCLAIM), (3) a new entry. Returns
 * {cursor, dead, entry, run, attempt, max, from, payload} or {cursor, dead} when nothing is
 * due; dead lists {run, attempts, ...} of the jobs that went dead on the way. */
static const char RQ_CLAIM[] = RQ_OWNER RQ_START_FN
    "local now = nowms()\n"
    "local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)\n"
    "for _, run in ipairs(due) do\n"
    "  redis.call('ZREM', KEYS[2], run)\n"
    "  local rk = KEYS[4] .. run\n"
    "  if redis.call('HGET', rk, 'state') == 'delayed' then\n"
    "    local id = redis.call('XADD', KEYS[1], '*', 'run', run)\n"
    "    redis.call('HSET', rk, 'state', 'queued', 'entry', id)\n"
    "  end\n"
    "end\n"
    "local cursor = ARGV[3]\n"
    "local dead = {}\n"
    "local function take(entries, own)\n"
    "  for _, e in ipairs(entries or {}) do\n"
    "    local run = nil\n"
    "    if type(e[2]) == 'table' then\n"
    "      for i = 1, #e[2], 2 do if e[2][i] == 'run' then run = e[2][i + 1] end end end\n"
    "    if not run then redis.call('XACK', KEYS[1], 'workers', e[1]) else\n"
    "      local r = start(e[1], run, ARGV[4], own)\n"
    "      if r[1] > 0 then return {cursor, dead, e[1], run, r[1], r[2], r[3], r[4]} end\n"
    "      if r[1] < 0 then dead[#dead + 1] = run dead[#dead + 1] = r[2] end\n"
    "    end\n"
    "  end\n"
    "  return nil\n"
    "end\n"
    "local r = redis.call('XREADGROUP', 'GROUP', 'workers', ARGV[1], 'COUNT', 1, 'STREAMS', "
    "KEYS[1], '0')\n"
    "local x = r and take(r[1][2], true)\n"
    "if x then return x end\n"
    "local c = redis.call('XAUTOCLAIM', KEYS[1], 'workers', ARGV[1], ARGV[2], cursor, 'COUNT', "
    "1)\n"
    "cursor = c[1]\n"
    "x = take(c[2])\n"
    "if x then return x end\n"
    "r = redis.call('XREADGROUP', 'GROUP', 'workers', ARGV[1], 'COUNT', 1, 'STREAMS', KEYS[1], "
    "'>')\n"
    "x = r and take(r[1][2])\n"
    "if x then return x end\n"
    "return {cursor, dead}\n";

/* ARGV: entry, worker, run_id -> 1 renewed, 2 renewed but the job was cancelled (the worker
 * stops its run), 0 owned by another worker, -1 not pending. */
static const char RQ_RENEW[] =
    RQ_OWNER "local o = owner(ARGV[1])\n"
             "if not o then return -1 end\n"
             "if o ~= ARGV[2] then return 0 end\n"
             "redis.call('XCLAIM', KEYS[1], 'workers', ARGV[2], 0, ARGV[1], 'JUSTID')\n"
             "if redis.call('HGET', KEYS[4] .. ARGV[3], 'cancel') == '1' then return 2 end\n"
             "return 1\n";

/* ARGV: entry, worker, run_id -> 1 acked, 0 owned by another worker. */
static const char RQ_ACK[] =
    RQ_OWNER RQ_SETTLE "local rk, live = settle(ARGV[1], ARGV[2], ARGV[3])\n"
                       "if not rk then return 0 end\n"
                       "if live then\n"
                       "  local st = 'done'\n"
                       "  if redis.call('HGET', rk, 'cancel') == '1' then st = 'cancelled' end\n"
                       "  redis.call('HSET', rk, 'state', st)\n"
                       "  redis.call('HINCRBY', KEYS[5], st, 1)\n"
                       "  redis.call('EXPIRE', rk, 604800)\n"
                       "end\n"
                       "return 1\n";

/* ARGV: entry, worker, run_id, error, backoff_ms, now -> 1 dead, 0 retry later (or
 * cancelled), -2 owned by another worker, -3 not pending. */
static const char RQ_FAIL[] = RQ_OWNER
    "local o = owner(ARGV[1])\n"
    "if not o then return -3 end\n"
    "if o ~= ARGV[2] then return -2 end\n"
    "redis.call('XACK', KEYS[1], 'workers', ARGV[1])\n"
    "redis.call('XDEL', KEYS[1], ARGV[1])\n"
    "local rk = KEYS[4] .. ARGV[3]\n"
    "if redis.call('HGET', rk, 'entry') ~= ARGV[1] then return 0 end\n"
    "redis.call('HSET', rk, 'last_error', ARGV[4])\n"
    "if redis.call('HGET', rk, 'cancel') == '1' then\n"
    "  redis.call('HSET', rk, 'state', 'cancelled')\n"
    "  redis.call('HINCRBY', KEYS[5], 'cancelled', 1) return 0 end\n"
    "local a = tonumber(redis.call('HGET', rk, 'attempt'))\n"
    "if a >= tonumber(redis.call('HGET', rk, 'max')) then\n"
    "  redis.call('HSET', rk, 'state', 'dead')\n"
    "  redis.call('HSET', KEYS[3], ARGV[3], cjson.encode({run_id = ARGV[3], attempts = a,\n"
    "    last_error = ARGV[4], failed_at = ARGV[6]}))\n"
    "  return 1 end\n"
    "redis.call('ZADD', KEYS[2], nowms() + tonumber(ARGV[5]), ARGV[3])\n"
    "redis.call('HSET', rk, 'state', 'delayed')\n"
    "return 0\n";

/* ARGV: entry, worker, run_id -> 1 given back, 0 owned by another worker. */
static const char RQ_RELEASE[] =
    RQ_OWNER RQ_SETTLE "local rk, live = settle(ARGV[1], ARGV[2], ARGV[3])\n"
                       "if not rk then return 0 end\n"
                       "if live then\n"
                       "  redis.call('HINCRBY', rk, 'attempt', -1)\n"
                       "  local id = redis.call('XADD', KEYS[1], '*', 'run', ARGV[3])\n"
                       "  redis.call('HSET', rk, 'state', 'queued', 'entry', id)\n"
                       "end\n"
                       "return 1\n";

/* ARGV: run_id -> 1 (a queued or delayed job cancelled, a running one marked), 0 nothing. */
static const char RQ_CANCEL[] =
    "local rk = KEYS[4] .. ARGV[1]\n"
    "local st = redis.call('HGET', rk, 'state')\n"
    "if st == 'queued' or st == 'delayed' then\n"
    "  if st == 'queued' then redis.call('XDEL', KEYS[1], redis.call('HGET', rk, 'entry')) end\n"
    "  redis.call('ZREM', KEYS[2], ARGV[1])\n"
    "  redis.call('HSET', rk, 'state', 'cancelled')\n"
    "  redis.call('HINCRBY', KEYS[5], 'cancelled', 1)\n"
    "  redis.call('EXPIRE', rk, 604800)\n"
    "  return 1 end\n"
    "if st == 'running' then redis.call('HSET', rk, 'cancel', 1) return 1 end\n"
    "return 0\n";

/* ARGV: run_id -> 1 back in the stream (attempts reset), 0 not a dead letter. */
static const char RQ_REQUEUE[] =
    "if redis.call('HDEL', KEYS[3], ARGV[1]) == 0 then return 0 end\n"
    "local rk = KEYS[4] .. ARGV[1]\n"
    "local id = redis.call('XADD', KEYS[1], '*', 'run', ARGV[1])\n"
    "redis.call('HSET', rk, 'state', 'queued', 'attempt', 0, 'entry', id, 'cancel', 0)\n"
    "redis.call('PERSIST', rk)\n"
    "return 1\n";

/* -> {stream length, pending, delayed, dead, done, cancelled}. */
static const char RQ_STATS[] =
    "local len = redis.call('XLEN', KEYS[1])\n"
    "local pend = redis.call('XPENDING', KEYS[1], 'workers')[1]\n"
    "local c = redis.call('HMGET', KEYS[5], 'done', 'cancelled')\n"
    "return {len, pend, redis.call('ZCARD', KEYS[2]), redis.call('HLEN', KEYS[3]),\n"
    "  tonumber(c[1] or 0), tonumber(c[2] or 0)}\n";

#endif
