-- Rotates a key's whsec_ secret: the current one becomes the previous one, which keeps signing
-- until ARGV[2]; an older previous secret is dropped.
-- KEYS: 1 the key's secrets hash (key:{k}:whsec)
-- ARGV: 1 the new secret, 2 until when the previous one stays valid (epoch ms)
local current = redis.call('HGET', KEYS[1], 'secret')
if current then
  redis.call('HSET', KEYS[1], 'previous_secret', current, 'previous_expires_at', ARGV[2])
end
redis.call('HSET', KEYS[1], 'secret', ARGV[1])
return redis.call('HMGET', KEYS[1], 'secret', 'previous_secret', 'previous_expires_at')
