-- Records a pending snapshot if the key may keep one more; pending ones count too, so parallel
-- snapshots never overshoot the count.
-- KEYS: 1 snapshot hash, 2 key's snapshots (zset), 3 expiry (zset)
-- ARGV: 1 id, 2 count limit, 3 created ms, 4 expires ms, 5.. field, value pairs of the hash
-- Returns 'ok' or 'snapshot_count'.
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then return 'snapshot_count' end
local fields = {}
for i = 5, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
return 'ok'
