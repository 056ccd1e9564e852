-- Folds the oldest entries of the pending usage list into the day hashes (a key's, the totals'),
-- which the caller summed from them, and drops those entries. Only when the list still starts with
-- the same entries (each names its job, so no two are alike): a fold that ran meanwhile took them,
-- and this one writes nothing.
-- KEYS: 1 pending usage (list), 2.. day hashes
-- ARGV: 1 entries folded (n), 2 the first, 3 the n-th, 4 retention (s), then for each of KEYS[2..]
--       three amounts: jobs, run seconds, CPU seconds ('0': nothing to add)
-- Returns 1, or 0 when another fold took the entries.
local n = tonumber(ARGV[1])
if redis.call('LINDEX', KEYS[1], 0) ~= ARGV[2] or redis.call('LINDEX', KEYS[1], n - 1) ~= ARGV[3] then
  return 0
end
for k = 2, #KEYS do
  local a = 5 + (k - 2) * 3
  if ARGV[a] ~= '0' then
    redis.call('HINCRBY', KEYS[k], 'jobs', ARGV[a])
  end
  redis.call('HINCRBYFLOAT', KEYS[k], 'run_seconds', ARGV[a + 1])
  if ARGV[a + 2] ~= '0' then
    redis.call('HINCRBYFLOAT', KEYS[k], 'cpu_seconds', ARGV[a + 2])
  end
  redis.call('EXPIRE', KEYS[k], tonumber(ARGV[4]))
end
redis.call('LTRIM', KEYS[1], n, -1)
return 1
