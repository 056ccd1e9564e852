-- Decides the fate of a stream entry taken over from a consumer that stopped renewing it (its node
-- died or was stopped). The entry is already this consumer's (XAUTOCLAIM).
--   not started (queued)                     -> 'run': this node runs it
--   started, attempts left (max_attempts)    -> back to queued, 'run'
--   started, no attempts left                -> 'error' ("executor lost"), 'ended'
--   delivered more than the maximum          -> dead-letter stream, 'error', 'ended'
--   already ended or unknown                 -> entry dropped, 'dropped'
-- KEYS: 1 job hash, 2 stream, 3 key's running set, 4 dead-letter stream, 5 webhooks:due, 6 jobs by
--       state (hash of moves, see RedisJobCounts: every move this script makes of a job, not of a
--       sandbox operation: requeued, or ended:<state> plus ended_queued for a job that never started)
-- ARGV: 1 job id, 2 entry id, 3 group, 4 now (ms), 5 ttl (s), 6 done channel, 7 max deliveries,
--       8 reason, 9 '1' to end the job now whatever its attempts (its sandbox died with its node)
local state = redis.call('HGET', KEYS[1], 'state')
local function count(from, to)
  if redis.call('HEXISTS', KEYS[1], 'op') == 0 then
    if to == 'queued' then
      redis.call('HINCRBY', KEYS[6], 'requeued', 1)
      return
    end
    redis.call('HINCRBY', KEYS[6], 'ended:' .. to, 1)
    if from == 'queued' then
      redis.call('HINCRBY', KEYS[6], 'ended_queued', 1)
    end
  end
end
local function drop()
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
  redis.call('XDEL', KEYS[2], ARGV[2])
end
local function fail(reason)
  redis.call('HSET', KEYS[1], 'state', 'error', 'error', reason, 'finished_at', ARGV[4])
  count(state, 'error')
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
  drop()
  redis.call('SREM', KEYS[3], ARGV[1])
  if redis.call('HEXISTS', KEYS[1], 'callback_url') == 1 then
    redis.call('ZADD', KEYS[5], ARGV[4], ARGV[1])
  end
  redis.call('PUBLISH', ARGV[6], ARGV[1])
  return 'ended'
end
if state ~= 'queued' and state ~= 'running' then
  drop()
  return 'dropped'
end
if ARGV[9] == '1' then
  return fail(ARGV[8])
end
local p = redis.call('XPENDING', KEYS[2], ARGV[3], ARGV[2], ARGV[2], 1)
if #p > 0 and p[1][4] > tonumber(ARGV[7]) then
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', 10000, '*', 'job', ARGV[1], 'stream', KEYS[2])
  return fail('delivered ' .. p[1][4] .. ' times without finishing; moved to the dead-letter stream')
end
if state == 'queued' then
  return 'run'
end
if tonumber(redis.call('HGET', KEYS[1], 'attempt') or '0') < tonumber(redis.call('HGET', KEYS[1], 'max_attempts') or '1') then
  redis.call('HSET', KEYS[1], 'state', 'queued')
  redis.call('HDEL', KEYS[1], 'node')
  count('running', 'queued')
  return 'run'
end
return fail(ARGV[8])
