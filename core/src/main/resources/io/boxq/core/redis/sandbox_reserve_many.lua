-- Takes places for several sandboxes of one key on one node (the forks of a sandbox) in one step:
-- all of them or none, checked like sandbox_reserve.lua, plus the room left on the node.
-- KEYS: 1 key's sandboxes, 2 user's sandboxes, 3 all sandboxes, 4 node's sandboxes, 5.. one hash each
-- ARGV: 1 per-user limit of the tier, 2 per-key ceiling (-1 none), 3 per-user ceiling (-1 none),
--       4 system limit, 5 room of the node (-1 none), then per sandbox: id, n, n field/value strings
-- Returns 'ok' or the name of the limit that was hit.
local n = #KEYS - 4
local function full(set, limit)
  return tonumber(limit) >= 0 and redis.call('SCARD', set) + n > tonumber(limit)
end
if full(KEYS[2], ARGV[1]) then return 'tier' end
if full(KEYS[1], ARGV[2]) then return 'api_key' end
if full(KEYS[2], ARGV[3]) then return 'user' end
if full(KEYS[3], ARGV[4]) then return 'system' end
if full(KEYS[4], ARGV[5]) then return 'node' end
local at = 6
for i = 1, n do
  local id = ARGV[at]
  local count = tonumber(ARGV[at + 1])
  local fields = {}
  for j = 1, count do fields[j] = ARGV[at + 1 + j] end
  at = at + 2 + count
  redis.call('HSET', KEYS[4 + i], unpack(fields))
  for k = 1, 4 do redis.call('SADD', KEYS[k], id) end
end
return 'ok'
