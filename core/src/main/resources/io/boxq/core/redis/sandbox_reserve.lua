-- Checks every sandbox limit and takes a place in one step, so parallel creates never overshoot.
-- KEYS: 1 sandbox hash, 2 key's sandboxes, 3 user's sandboxes, 4 all sandboxes, 5 node's sandboxes
-- ARGV: 1 sandbox id, 2 per-user limit of the tier (with key override), 3 per-key ceiling (-1 none),
--       4 per-user ceiling (-1 none), 5 system limit, 6.. field, value pairs of the sandbox hash
-- Returns 'ok' or the name of the limit that was hit.
local function full(set, limit)
  return tonumber(limit) >= 0 and redis.call('SCARD', set) >= tonumber(limit)
end
if full(KEYS[3], ARGV[2]) then return 'tier' end
if full(KEYS[2], ARGV[3]) then return 'api_key' end
if full(KEYS[3], ARGV[4]) then return 'user' end
if full(KEYS[4], ARGV[5]) then return 'system' end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[4], ARGV[1])
redis.call('SADD', KEYS[5], ARGV[1])
return 'ok'
