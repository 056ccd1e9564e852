-- Writes a new job and either starts it (a run slot of its key is free and nobody waits before it)
-- or appends it to the key's backlog. One call: the job is never half-written.
-- With an Idempotency-Key, the first submit records "<job id> <body hash>" for 24 h; a repeat with
-- the same body gets that job back, one with another body a conflict.
-- Every job (not operations) is also appended to the recent-jobs stream of the admin overview, which
-- XADD's exact MAXLEN keeps at the newest ARGV[5] in the same command.
-- The key's job index scores a job by its submit time in ms x 1000 plus its place among the key's
-- jobs of that millisecond (0, 1, ...): scores are unique within a key (up to 1000 jobs of one key
-- per millisecond) and follow the submit time, so a listing's cursor (a score) never falls between
-- two jobs of the same millisecond.
-- KEYS: 1 job hash, 2 key's job index (zset), 3 key's running set, 4 key's backlog, 5 target stream,
--       6 the idempotency record (KEYS[1] again when there is none), 7 recent jobs (stream), 8 jobs by
--       state (hash of moves, see RedisJobCounts: a new job, not a sandbox operation, counts as submitted)
-- ARGV: 1 job id, 2 submitted at (ms), 3 concurrency limit (-1: a sandbox operation, which is not
--       listed, takes no run slot, and names its kind in its stream entry), 4 body hash ('' without Idempotency-Key),
--       5 how many recent jobs to keep, 6.. field, value pairs of the job hash
-- Returns {'started' | 'backlog' | 'replay' | 'conflict', job id}
if ARGV[4] ~= '' then
  local seen = redis.call('GET', KEYS[6])
  if seen then
    local id, hash = string.match(seen, '^(%S+) (%S+)$')
    if hash == ARGV[4] then return {'replay', id} end
    return {'conflict', id}
  end
  redis.call('SET', KEYS[6], ARGV[1] .. ' ' .. ARGV[4], 'EX', 86400)
end
local fields = {}
local sandbox, op = '', ''
for i = 6, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  if ARGV[i] == 'sandbox_id' then sandbox = ARGV[i + 1] elseif ARGV[i] == 'op' then op = ARGV[i + 1] end
end
-- Job ids are 96 random bits: a hash that already had fields is not a job to overwrite quietly.
if redis.call('HSET', KEYS[1], unpack(fields)) ~= #fields / 2 then
  return redis.error_reply('ERR job exists')
end
if ARGV[3] == '-1' then
  redis.call('XADD', KEYS[5], '*', 'job', ARGV[1], 'sandbox', sandbox, 'op', op)
  return {'started', ARGV[1]}
end
local first = tonumber(ARGV[2]) * 1000
local before = redis.call('ZREVRANGEBYSCORE', KEYS[2], string.format('%.0f', first + 999),
  string.format('%.0f', first), 'WITHSCORES', 'LIMIT', 0, 1)
local score = first
if before[2] then
  score = tonumber(before[2]) + 1
end
redis.call('ZADD', KEYS[2], string.format('%.0f', score), ARGV[1])
redis.call('XADD', KEYS[7], 'MAXLEN', ARGV[5], '*', 'job', ARGV[1])
redis.call('HINCRBY', KEYS[8], 'submitted', 1)
if redis.call('LLEN', KEYS[4]) == 0 and redis.call('SCARD', KEYS[3]) < tonumber(ARGV[3]) then
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('XADD', KEYS[5], '*', 'job', ARGV[1], 'sandbox', sandbox)
  return {'started', ARGV[1]}
end
redis.call('RPUSH', KEYS[4], ARGV[1])
return {'backlog', ARGV[1]}
