-- Cancels a job. A queued job ends 'cancelled' at once (leaving the backlog, or freeing the run slot
-- it held: its stream entry is dropped by whichever node reads it). A running job is marked; its
-- node kills it and stores the end.
-- KEYS: 1 job hash, 2 key's backlog, 3 key's running set, 4 webhooks:due, 5 jobs by state (hash of
--       moves, see RedisJobCounts: a queued job that ends here counts as ended:cancelled and
--       ended_queued; a running one is counted by its end)
-- ARGV: 1 job id, 2 now (ms), 3 result ttl (s), 4 done channel
-- Returns 'now', 'now_freed' (a run slot came free), 'running', 'missing', or 'ended'.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return 'missing'
end
if state == 'queued' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled', 'finished_at', ARGV[2])
  if redis.call('HEXISTS', KEYS[1], 'op') == 0 then
    redis.call('HINCRBY', KEYS[5], 'ended:cancelled', 1)
    redis.call('HINCRBY', KEYS[5], 'ended_queued', 1)
  end
  redis.call('LREM', KEYS[2], 0, ARGV[1])
  local freed = redis.call('SREM', KEYS[3], ARGV[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
  if redis.call('HEXISTS', KEYS[1], 'callback_url') == 1 then
    redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
  end
  redis.call('PUBLISH', ARGV[4], ARGV[1])
  if freed == 1 then return 'now_freed' end
  return 'now'
end
if state == 'running' then
  redis.call('HSET', KEYS[1], 'cancel_requested', ARGV[2])
  return 'running'
end
return 'ended'
