-- Records one attempt of a webhook delivery and what comes next. Only the holder of the lease (the
-- entry's score is still the lease end it claimed with) changes the status and the schedule; a
-- node whose lease ran out only adds its attempt to the log. While a retry is pending, the
-- delivery and its job outlive the retry by the result TTL, so the body can still be built.
-- KEYS: 1 webhooks:due, 2 delivery hash, 3 attempts list, 4 job hash
-- ARGV: 1 job id, 2 lease end claimed (ms), 3 attempt JSON ('' when no attempt was made),
--       4 status, 5 next attempt (ms, '' when none), 6 now (ms), 7 result TTL (ms),
--       8.. field, value pairs of the delivery hash
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) ~= tonumber(ARGV[2]) then
  local ttl = redis.call('PTTL', KEYS[2])
  if ARGV[3] ~= '' and ttl > 0 then
    redis.call('RPUSH', KEYS[3], ARGV[3])
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
  return 0
end
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[2], 'status', ARGV[4], unpack(fields))
if ARGV[3] ~= '' then
  redis.call('HINCRBY', KEYS[2], 'attempts', 1)
  redis.call('HSET', KEYS[2], 'last_attempt_at', ARGV[6])
  redis.call('RPUSH', KEYS[3], ARGV[3])
end
local keep
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
  redis.call('HSET', KEYS[2], 'next_attempt_at', ARGV[5])
  keep = tonumber(ARGV[5]) - tonumber(ARGV[6]) + tonumber(ARGV[7])
  local jobTtl = redis.call('PTTL', KEYS[4])
  if jobTtl >= 0 and jobTtl < keep then
    redis.call('PEXPIRE', KEYS[4], keep)
  end
else
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], 'next_attempt_at')
  keep = redis.call('PTTL', KEYS[4])
  if keep <= 0 then
    keep = tonumber(ARGV[7])
  end
end
redis.call('PEXPIRE', KEYS[2], keep)
if redis.call('EXISTS', KEYS[3]) == 1 then
  redis.call('PEXPIRE', KEYS[3], keep)
end
return 1
