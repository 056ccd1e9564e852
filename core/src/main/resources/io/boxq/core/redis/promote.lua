-- Moves the head of a key's backlog into its stream when a run slot is free. A head that is no
-- longer queued (cancelled while waiting) is dropped. The caller peeks the head and its stream.
-- KEYS: 1 key's running set, 2 key's backlog, 3 head job hash, 4 head job's stream
-- ARGV: 1 head job id, 2 concurrency limit
-- Returns 1 promoted, 2 dropped a head that was not queued, 0 nothing to do (or the head moved).
if redis.call('LINDEX', KEYS[2], 0) ~= ARGV[1] then
  return 0
end
if redis.call('HGET', KEYS[3], 'state') ~= 'queued' then
  redis.call('LPOP', KEYS[2])
  return 2
end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('LPOP', KEYS[2])
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('XADD', KEYS[4], '*', 'job', ARGV[1], 'sandbox', redis.call('HGET', KEYS[3], 'sandbox_id') or '')
return 1
