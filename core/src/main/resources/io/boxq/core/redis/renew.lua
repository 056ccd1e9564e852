-- Renews the lease of a running job's stream entry (resets its idle time), but only while this
-- consumer still owns it: an entry another node reclaimed is never taken back. Also tells whether a
-- cancel was asked for the job: the node kills it then, even if it missed the control message.
-- KEYS: 1 stream, 2 the job's hash. ARGV: 1 group, 2 consumer, 3 entry id.
-- Returns 1 renewed, 3 renewed and cancel asked, 0 lost (another consumer owns it), 2 nothing to
-- renew (acknowledged: the job ended, its node is only resetting the container).
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 then
  return 2
end
if p[1][2] ~= ARGV[2] then
  return 0
end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
if redis.call('HEXISTS', KEYS[2], 'cancel_requested') == 1 then
  return 3
end
return 1
