-- Forgets a dead node once nothing can reach it any more: its stream is empty and it holds no
-- sandbox. While one of its sandboxes is still on record the api may route a job to its stream
-- after a settling pass; the node stays registered so that the next pass settles that job too.
-- Its consumer in the shared stream's group goes too, but only when nothing is pending in its name
-- (deleting a consumer drops its pending entries); otherwise the stalled-job reclaim takes those
-- first and a later pass deletes it. Consumers of nodes that come and go do not pile up.
-- KEYS: 1 the node's stream, 2 the node's sandboxes, 3 the registry of nodes, 4 the shared stream
-- ARGV: 1 node id, 2 the consumer group
-- Returns 1 when forgotten, 0 when not yet.
if redis.call('XLEN', KEYS[1]) > 0 or redis.call('SCARD', KEYS[2]) > 0 then
  return 0
end
local ok, pending = pcall(redis.call, 'XPENDING', KEYS[4], ARGV[2], '-', '+', 1, ARGV[1])
if ok and #pending > 0 then
  return 0
end
if ok then
  redis.call('XGROUP', 'DELCONSUMER', KEYS[4], ARGV[2], ARGV[1])
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
