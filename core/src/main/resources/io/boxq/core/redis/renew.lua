-- Renews the lease of a running job's stream entry (resets its idle time), but only while this
-- consumer still owns it: an entry another node reclaimed is never taken back.
-- KEYS: 1 stream. ARGV: 1 group, 2 consumer, 3 entry id.
-- Returns 1 renewed, 0 lost (another consumer owns it), 2 nothing to renew (acknowledged: the job
-- ended, its node is only resetting the container).
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #p == 0 then
  return 2
end
if p[1][2] ~= ARGV[2] then
  return 0
end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
