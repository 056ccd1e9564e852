-- Appends a resource violation to a live sandbox's record in one step, keeping the newest few: a
-- read-modify-write from Java could lose a violation written meanwhile.
-- KEYS: 1 the sandbox hash
-- ARGV: 1 the violation as a JSON object, 2 how many to keep
-- Returns 1 when written, 0 when the sandbox has ended or is gone.
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then
  return 0
end
local stored = redis.call('HGET', KEYS[1], 'violations')
local all = {}
if stored and stored ~= '' then
  all = cjson.decode(stored)
end
table.insert(all, cjson.decode(ARGV[1]))
local kept = {}
for i = math.max(1, #all - tonumber(ARGV[2]) + 1), #all do
  table.insert(kept, all[i])
end
redis.call('HSET', KEYS[1], 'violations', cjson.encode(kept))
return 1
