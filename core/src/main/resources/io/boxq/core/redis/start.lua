-- An executor takes a job: queued -> running, with a new fencing token (the attempt number).
-- KEYS: 1 job hash, 2 jobs by state (hash of moves, see RedisJobCounts: a job, not a sandbox operation,
--       counts as started)
-- ARGV: 1 node id, 2 now (ms), 3 this start's id (a start repeated with it, because its answer or its
--       WAIT was lost, answers the same attempt again instead of 'running' with 0)
-- Returns {state, attempt, fields}: state 'running' when the job is now this node's (fields: the
-- job's hash as it was before this call, as HGETALL gives it, so the node need not read it again),
-- else what it is. A repeated start answers {'running', attempt, fields as they are now, 'again'}.
local h = redis.call('HGETALL', KEYS[1])
local f = {}
for i = 1, #h, 2 do f[h[i]] = h[i + 1] end
if f.state == 'running' and ARGV[3] ~= '' and f.start_id == ARGV[3] then
  return {'running', tonumber(f.attempt), h, 'again'}
end
if f.state ~= 'queued' then
  return {f.state or 'missing', 0}
end
local attempt = tonumber(f.attempt or '0') + 1
redis.call('HSET', KEYS[1], 'attempt', attempt, 'state', 'running', 'node', ARGV[1], 'started_at', ARGV[2],
  'start_id', ARGV[3])
if not f.op then
  redis.call('HINCRBY', KEYS[2], 'started', 1)
end
return {'running', attempt, h}
