-- Reads a key's whsec_ secrets, creating the first one when the key has none yet.
-- KEYS: 1 the key's secrets hash (key:{k}:whsec)
-- ARGV: 1 a fresh secret, used only when the key has none
redis.call('HSETNX', KEYS[1], 'secret', ARGV[1])
return redis.call('HMGET', KEYS[1], 'secret', 'previous_secret', 'previous_expires_at')
