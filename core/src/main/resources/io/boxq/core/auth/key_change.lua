-- Changes one API key in one step: the user's tier, limits set and cleared, the webhook URL.
-- A key revoked meanwhile, or one whose hash now holds another key, is left alone.
-- KEYS: 1 the key's hash, 2 the user's hash
-- ARGV: 1 the key's id, 2 the tier ('' keeps it), 3 'keep', 'del' or 'set' for webhook_url, 4 the URL,
--       5 how many fields to clear, then those fields, then pairs of field and value to set
if redis.call('HGET', KEYS[1], 'id') ~= ARGV[1] then
  return 0
end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], 'tier', ARGV[2])
end
local cleared = tonumber(ARGV[5])
if cleared > 0 then
  redis.call('HDEL', KEYS[1], unpack(ARGV, 6, 5 + cleared))
end
if #ARGV > 5 + cleared then
  redis.call('HSET', KEYS[1], unpack(ARGV, 6 + cleared))
end
if ARGV[3] == 'del' then
  redis.call('HDEL', KEYS[1], 'webhook_url')
elseif ARGV[3] == 'set' then
  redis.call('HSET', KEYS[1], 'webhook_url', ARGV[4])
end
return 1
