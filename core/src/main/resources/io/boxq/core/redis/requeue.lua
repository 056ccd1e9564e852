-- An attempt that could not finish because its container died under it (killed, or the engine
-- restarted) gives its job back, when the job's attempts allow: running -> queued, under the
-- attempt's fencing token. The caller then starts it again (a new attempt, a new container).
-- KEYS: 1 job hash, 2 jobs by state (hash of moves, see RedisJobCounts: a job, not a sandbox operation,
--       counts as requeued)
-- ARGV: 1 token (the attempt)
-- Returns 1 queued again, 0 not (no attempts left, or the attempt is no longer current).
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
if tonumber(ARGV[1]) >= tonumber(redis.call('HGET', KEYS[1], 'max_attempts') or '1') then
  return 0
end
redis.call('HSET', KEYS[1], 'state', 'queued')
redis.call('HDEL', KEYS[1], 'node')
if redis.call('HEXISTS', KEYS[1], 'op') == 0 then
  redis.call('HINCRBY', KEYS[2], 'requeued', 1)
end
return 1
