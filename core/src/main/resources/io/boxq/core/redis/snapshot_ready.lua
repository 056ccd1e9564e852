-- Marks a pending snapshot ready once its file is complete, if the key's total size allows it.
-- KEYS: 1 snapshot hash, 2 key's snapshot bytes (counter)
-- ARGV: 1 size in bytes, 2 the key's size limit, 3.. more field, value pairs (skipped, runtime)
-- Returns 'ok', 'gone' (deleted meanwhile: the caller removes the file) or 'snapshot_bytes'.
if redis.call('HGET', KEYS[1], 'state') ~= 'pending' then return 'gone' end
local used = tonumber(redis.call('GET', KEYS[2]) or '0')
if used + tonumber(ARGV[1]) > tonumber(ARGV[2]) then return 'snapshot_bytes' end
local fields = {'state', 'ready', 'size_bytes', ARGV[1]}
for i = 3, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('INCRBY', KEYS[2], ARGV[1])
return 'ok'
