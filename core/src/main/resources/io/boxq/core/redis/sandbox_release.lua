-- Gives a sandbox's places back and ends it: the record stays, marked ended (state, ended_at,
-- end_reason), for the retention time and is listed among the key's ended sandboxes; with no end
-- state or no retention it is deleted. Idempotent: a record that has already ended keeps how it
-- ended.
-- KEYS: 1 sandbox hash, 2 key's sandboxes, 3 user's sandboxes, 4 all sandboxes, 5 node's sandboxes,
--       6 key's ended sandboxes (zset by ended_at)
-- ARGV: 1 sandbox id, 2 end state ('' = forget it), 3 now (ms), 4 end reason, 5 retention (ms)
-- Returns 1 when this call ended a live sandbox, else 0.
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then
  return 0
end
local retention = tonumber(ARGV[5])
if ARGV[2] == '' or retention <= 0 then
  redis.call('DEL', KEYS[1])
  return 1
end
local now = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'ended_at', ARGV[3], 'end_reason', ARGV[4])
redis.call('PEXPIRE', KEYS[1], retention)
redis.call('ZADD', KEYS[6], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', '(' .. (now - retention))
redis.call('PEXPIRE', KEYS[6], retention)
return 1
