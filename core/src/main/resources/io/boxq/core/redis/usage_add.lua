-- Adds to a key's usage of one UTC day and to that day's totals; both live for the retention.
-- KEYS: 1 the key's day hash, 2 the totals' day hash
-- ARGV: 1 retention in seconds, then pairs of field and increment (a decimal)
for k = 1, 2 do
  for i = 2, #ARGV, 2 do
    redis.call('HINCRBYFLOAT', KEYS[k], ARGV[i], ARGV[i + 1])
  end
  redis.call('EXPIRE', KEYS[k], ARGV[1])
end
return 1
