-- Gives a sandbox's places back and forgets it. Idempotent.
-- KEYS: 1 sandbox hash, 2 key's sandboxes, 3 user's sandboxes, 4 all sandboxes, 5 node's sandboxes
-- ARGV: 1 sandbox id
redis.call('SREM', KEYS[2], ARGV[1])
redis.call('SREM', KEYS[3], ARGV[1])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('SREM', KEYS[5], ARGV[1])
return redis.call('DEL', KEYS[1])
