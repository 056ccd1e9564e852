-- Stores the end of an attempt, only if its fencing token is still current, then acknowledges and
-- deletes the stream entry, frees the key's run slot, promotes the key's next backlog job (when the
-- caller peeked the right one), and announces the end to long-poll waiters.
-- KEYS: 1 job hash, 2 stream, 3 key's running set, 4 key's backlog, 5 next job hash, 6 next job's stream,
--       7 webhooks:due, 8 jobs by state (hash: a job, not a sandbox operation, moves from running
--       to its terminal state, only when this call stores the end), 9 the job's live output stream
-- ARGV: 1 job id, 2 entry id ('' when none), 3 group, 4 token, 5 ttl (s), 6 done channel,
--       7 next job id ('' when none), 8.. field, value pairs (the result and the terminal state)
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[4] or redis.call('HGET', KEYS[1], 'state') ~= 'running' then
  return 0
end
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
if redis.call('HEXISTS', KEYS[1], 'op') == 0 then
  redis.call('HINCRBY', KEYS[8], 'running', -1)
  redis.call('HINCRBY', KEYS[8], redis.call('HGET', KEYS[1], 'state'), 1)
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
  redis.call('XDEL', KEYS[2], ARGV[2])
end
redis.call('SREM', KEYS[3], ARGV[1])
if ARGV[7] ~= '' and redis.call('LINDEX', KEYS[4], 0) == ARGV[7]
    and redis.call('HGET', KEYS[5], 'state') == 'queued' then
  redis.call('LPOP', KEYS[4])
  redis.call('SADD', KEYS[3], ARGV[7])
  redis.call('XADD', KEYS[6], '*', 'job', ARGV[7], 'sandbox', redis.call('HGET', KEYS[5], 'sandbox_id') or '')
end
-- The webhook is scheduled with the result, so it cannot be lost between the two. (callback_url is
-- the job's own URL or its key's default, set at submit.)
if KEYS[7] and redis.call('HEXISTS', KEYS[1], 'callback_url') == 1 then
  redis.call('ZADD', KEYS[7], redis.call('HGET', KEYS[1], 'finished_at'), ARGV[1])
end
-- A reader of the live output that is waiting in XREAD is woken by the end (short jobs that nobody
-- watches have no such stream, and none is made for them).
if KEYS[9] and redis.call('EXISTS', KEYS[9]) == 1 then
  redis.call('XADD', KEYS[9], '*', 'end', '1')
  redis.call('EXPIRE', KEYS[9], tonumber(ARGV[5]))
end
redis.call('PUBLISH', ARGV[6], ARGV[1])
return 1
