-- Sets fields of a hash only while the hash exists (never brings a deleted record back in part).
-- KEYS: 1 the hash
-- ARGV: pairs of field and value
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
