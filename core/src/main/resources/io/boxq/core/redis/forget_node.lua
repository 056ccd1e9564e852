-- Forgets a dead node once nothing can reach it any more: its stream is empty and it holds no
-- sandbox. While one of its sandboxes is still on record the api may route a job to its stream
-- after a settling pass; the node stays registered so that the next pass settles that job too.
-- KEYS: 1 the node's stream, 2 the node's sandboxes, 3 the registry of nodes
-- ARGV: 1 node id
-- Returns 1 when forgotten, 0 when not yet.
if redis.call('XLEN', KEYS[1]) > 0 or redis.call('SCARD', KEYS[2]) > 0 then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[3], ARGV[1])
return 1
