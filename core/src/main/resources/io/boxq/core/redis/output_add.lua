-- Appends an entry to a job's live output stream and marks the job's hash ('live_output'), so that
-- complete.lua, which reads the hash anyway, knows to append the end without checking the stream.
-- The mark goes in first and in the same call: an end stored after it always reaches the stream.
-- KEYS: 1 the job's live output stream, 2 the job hash (marked only while it exists: never made here)
-- ARGV: 1 the stream's TTL (s), 2.. field, value pairs of the entry
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('HSET', KEYS[2], 'live_output', '1')
end
redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]))
return 1
