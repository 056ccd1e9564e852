-- Deletes a hash field only while it still holds the value the caller saw (a newer value stays).
-- KEYS: 1 the hash
-- ARGV: 1 field, 2 the value it must hold
-- Returns 1 when deleted, else 0.
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
  return 1
end
return 0
