-- Writes a new job and either starts it (a run slot of its key is free and nobody waits before it)
-- or appends it to the key's backlog. One call: the job is never half-written.
-- With an Idempotency-Key, the first submit records "<job id> <body hash>" for 24 h; a repeat with
-- the same body gets that job back, one with another body a conflict.
-- Every job (not operations) is also appended to the recent-jobs stream of the admin overview, which
-- XADD's exact MAXLEN keeps at the newest ARGV[5] in the same command.
-- A job's submit time (submitted_at) and its place in the key's job index come from the id of its
-- recent-jobs entry, which XADD makes unique and increasing on Redis's side (<ms>-<seq>; Redis keeps
-- it increasing when its clock steps back): submitted_at = ms, score = 10^15 + ms x 1000 + seq. So
-- scores are unique among all jobs with no read, and they follow submitted_at also when submits of
-- several api processes (on clocks of their own) arrive out of order: a listing's cursor (a score)
-- never falls between two jobs, and its order agrees with submitted_at. A seq of 1000 or more (over
-- 1000 submits in one Redis millisecond, or a clock that stepped back) would reach into the next
-- millisecond's scores: XSETID then moves the stream's last id up to the score taken, so later ids
-- score above it. (10^15 puts every score above those of earlier versions: the api's submit time in
-- ms x 1000 plus the job's place in that millisecond.) Sandbox operations keep the api's time.
-- KEYS: 1 job hash, 2 key's job index (zset), 3 key's running set, 4 key's backlog, 5 target stream,
--       6 the idempotency record (KEYS[1] again when there is none), 7 recent jobs (stream), 8 jobs by
--       state (hash of moves, see RedisJobCounts: a new job, not a sandbox operation, counts as submitted)
-- ARGV: 1 job id, 2 submitted at (ms: a sandbox operation's; a job takes Redis's, see above),
--       3 concurrency limit (-1: a sandbox operation, which is not listed, takes no run slot, and
--       names its kind in its stream entry), 4 body hash ('' without Idempotency-Key),
--       5 how many recent jobs to keep, 6.. field, value pairs of the job hash
-- Returns {'started' | 'backlog' | 'replay' | 'conflict', job id, submitted_at (ms) of a new job}
if ARGV[4] ~= '' then
  local seen = redis.call('GET', KEYS[6])
  if seen then
    local id, hash = string.match(seen, '^(%S+) (%S+)$')
    if hash == ARGV[4] then
      -- A write, so that a WAIT after this call covers the job the first submit wrote (WAIT waits
      -- for this connection's last write, and the replication stream keeps the order).
      redis.call('EXPIRE', KEYS[6], math.max(1, redis.call('TTL', KEYS[6])))
      return {'replay', id}
    end
    return {'conflict', id}
  end
  redis.call('SET', KEYS[6], ARGV[1] .. ' ' .. ARGV[4], 'EX', 86400)
end
local ms, seq
if ARGV[3] ~= '-1' then
  local entry = redis.call('XADD', KEYS[7], 'MAXLEN', ARGV[5], '*', 'job', ARGV[1])
  ms, seq = string.match(entry, '^(%d+)%-(%d+)$')
  ms, seq = tonumber(ms), tonumber(seq)
  if seq >= 1000 then
    redis.call('XSETID', KEYS[7], string.format('%.0f-%d', ms + math.floor(seq / 1000), seq % 1000))
  end
end
local fields = {}
local sandbox, op = '', ''
for i = 6, #ARGV, 2 do
  local v = ARGV[i + 1]
  if ARGV[i] == 'sandbox_id' then sandbox = v elseif ARGV[i] == 'op' then op = v
  elseif ARGV[i] == 'submitted_at' and ms then v = string.format('%.0f', ms) end
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = v
end
-- Job ids are 96 random bits: a hash that already had fields is not a job to overwrite quietly.
if redis.call('HSET', KEYS[1], unpack(fields)) ~= #fields / 2 then
  return redis.error_reply('ERR job exists')
end
if ARGV[3] == '-1' then
  redis.call('XADD', KEYS[5], '*', 'job', ARGV[1], 'sandbox', sandbox, 'op', op)
  return {'started', ARGV[1], ARGV[2]}
end
redis.call('ZADD', KEYS[2], string.format('%.0f', 1e15 + ms * 1000 + seq), ARGV[1])
redis.call('HINCRBY', KEYS[8], 'submitted', 1)
if redis.call('LLEN', KEYS[4]) == 0 and redis.call('SCARD', KEYS[3]) < tonumber(ARGV[3]) then
  redis.call('SADD', KEYS[3], ARGV[1])
  redis.call('XADD', KEYS[5], '*', 'job', ARGV[1], 'sandbox', sandbox)
  return {'started', ARGV[1], string.format('%.0f', ms)}
end
redis.call('RPUSH', KEYS[4], ARGV[1])
return {'backlog', ARGV[1], string.format('%.0f', ms)}
