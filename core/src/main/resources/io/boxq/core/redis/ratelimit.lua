-- Counts one request in the current window of a key. KEYS: 1 the window's counter. ARGV: 1 window length (s).
local n = redis.call('INCR', KEYS[1])
if n == 1 then
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1]) + 1)
end
return n
