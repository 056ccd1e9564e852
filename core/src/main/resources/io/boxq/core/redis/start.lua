-- An executor takes a job: queued -> running, with a new fencing token (the attempt number).
-- KEYS: 1 job hash, 2 jobs by state (hash: a job, not a sandbox operation, moves from queued to running)
-- ARGV: 1 node id, 2 now (ms)
-- Returns {state, attempt}: state 'running' when the job is now this node's, else what it is.
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= 'queued' then
  return {state or 'missing', 0}
end
local attempt = redis.call('HINCRBY', KEYS[1], 'attempt', 1)
redis.call('HSET', KEYS[1], 'state', 'running', 'node', ARGV[1], 'started_at', ARGV[2])
if redis.call('HEXISTS', KEYS[1], 'op') == 0 then
  redis.call('HINCRBY', KEYS[2], 'queued', -1)
  redis.call('HINCRBY', KEYS[2], 'running', 1)
end
return {'running', attempt}
