-- Claims due webhook deliveries for one node: each due entry's score moves to the end of the lease
-- in the same call, so no other node takes it while this one sends. A node that dies holding a
-- lease loses nothing: the entry is due again when the lease ends.
-- KEYS: 1 webhooks:due
-- ARGV: 1 now (ms), 2 lease end (ms), 3 how many at most
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do
  redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id)
end
return due
