-- Forgets a snapshot: its record, its places in the key's and the expiry index, and (when it was
-- ready) its bytes in the key's total.
-- KEYS: 1 snapshot hash, 2 key's snapshots (zset), 3 expiry (zset), 4 key's snapshot bytes (counter)
-- ARGV: 1 id
-- Returns 1 when the record existed, else 0.
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'ready' then
  local left = redis.call('DECRBY', KEYS[4], redis.call('HGET', KEYS[1], 'size_bytes') or '0')
  if left <= 0 then redis.call('DEL', KEYS[4]) end
end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
return redis.call('DEL', KEYS[1])
