-- Stores the end of an attempt, only if its fencing token is still current, then acknowledges and
-- deletes the stream entry, frees the key's run slot, appends the job's usage to the pending usage
-- list (PendingUsage folds it into the day hashes), and announces the end to long-poll waiters. It
-- tells the caller the key's backlog head, if any: the caller promotes it (promote.lua), since that
-- job's keys are not known before this call.
-- KEYS: 1 job hash, 2 stream, 3 key's running set, 4 key's backlog, 5 webhooks:due, 6 jobs by state
--       (hash of moves, see RedisJobCounts: a job, not a sandbox operation, counts as ended:<its
--       terminal state>, only when this call stores the end), 7 the job's live output stream, 8 pending usage (list)
-- ARGV: 1 job id, 2 entry id ('' when none), 3 group, 4 token, 5 ttl (s), 6 done channel,
--       7 the job's usage entry ('' counts no usage: a sandbox operation), 8 '1' when a cancel asked
--       for while it ran makes the end 'cancelled' (unless it is 'error'), 9 the most bytes of result
--       fields the done message carries, 10.. field, value pairs (the result and the terminal state)
-- Returns {0} (stale token: nothing written), {1, the state stored, the backlog head or '', the
-- pending usage list's length (0 when nothing was appended)}, or {2, the state stored} when this
-- attempt's end is stored already: a call repeated because its answer (or its WAIT) was lost
-- stores nothing twice. (The end is marked 'ended_attempt'; an end the reclaim gave the job is not.)
local cur = redis.call('HMGET', KEYS[1], 'attempt', 'state', 'op', 'callback_url', 'cancel_requested', 'live_output',
  'node', 'started_at', 'ended_attempt')
if cur[1] == ARGV[4] and cur[9] == ARGV[4] then
  return {2, cur[2]}
end
if cur[1] ~= ARGV[4] or cur[2] ~= 'running' then
  return {0}
end
local fields = {}
local state, finished
for i = 10, #ARGV, 2 do
  local v = ARGV[i + 1]
  if ARGV[i] == 'state' then
    if ARGV[8] == '1' and cur[5] and v ~= 'error' then v = 'cancelled' end
    state = v
  elseif ARGV[i] == 'finished_at' then
    finished = v
  end
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = v
end
redis.call('HSET', KEYS[1], 'ended_attempt', ARGV[4], unpack(fields))
local head = ''
if not cur[3] then
  redis.call('HINCRBY', KEYS[6], 'ended:' .. state, 1)
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
if ARGV[2] ~= '' then
  redis.call('XACK', KEYS[2], ARGV[3], ARGV[2])
  redis.call('XDEL', KEYS[2], ARGV[2])
end
if not cur[3] then
  redis.call('SREM', KEYS[3], ARGV[1])
  head = redis.call('LINDEX', KEYS[4], 0) or ''
end
-- The webhook is scheduled with the result, so it cannot be lost between the two. (callback_url is
-- the job's own URL or its key's default, set at submit.)
if cur[4] then
  redis.call('ZADD', KEYS[5], finished, ARGV[1])
end
-- A reader of the live output that is waiting in XREAD is woken by the end. The stream's writers mark
-- the job's hash ('live_output', output_add.lua) in the call that makes it: short jobs that nobody
-- watches have no such stream, and none is made for them.
if cur[6] then
  redis.call('XADD', KEYS[7], '*', 'end', '1')
  redis.call('EXPIRE', KEYS[7], tonumber(ARGV[5]))
end
-- Usage: one entry, folded into the key's and the totals' day hashes later (exactly once: it goes in
-- with the end it belongs to).
local pending = 0
if ARGV[7] ~= '' then
  pending = redis.call('RPUSH', KEYS[8], ARGV[7])
end
-- The message carries what the end changed (the result, and what start.lua set after a waiter may
-- have read the job), so a woken long-poll answers without reading the job again; an end whose
-- fields are long is announced by its id alone (the waiter reads it). Each field is
-- <length>:<name><length>:<value>.
local msg = {ARGV[1]}
local size = 0
for i = 1, #fields, 2 do
  size = size + #fields[i + 1]
  if fields[i] ~= 'stdout' and fields[i] ~= 'stderr' and string.find(fields[i + 1], '[\128-\255]') then
    size = math.huge -- lengths are bytes, the reader counts characters: only ASCII is carried
  end
end
if cur[7] and cur[8] and size <= tonumber(ARGV[9]) then
  msg = {ARGV[1], '\n', '4:node', #cur[7], ':', cur[7], '7:attempt', #cur[1], ':', cur[1],
    '10:started_at', #cur[8], ':', cur[8]}
  for i = 1, #fields do
    msg[#msg + 1] = #fields[i]
    msg[#msg + 1] = ':'
    msg[#msg + 1] = fields[i]
  end
end
redis.call('PUBLISH', ARGV[6], table.concat(msg))
return {1, state, head, pending}
