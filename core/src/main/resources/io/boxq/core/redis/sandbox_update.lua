-- Sets fields of a sandbox only while it lives: never on a record that has ended (it would look
-- alive again) nor on one that is gone (it would come back in part).
-- KEYS: 1 the sandbox hash
-- ARGV: pairs of field and value
-- Returns 1 when written, 0 when the sandbox has ended or is gone.
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'ended_at') == 1 then
  return 0
end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
