package io.boxq.core.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The executor nodes whose heartbeat has not expired, with the figures they last reported. */
public final class NodeDirectory {
    private static final LuaScript FORGET = LuaScript.load("forget_node");

    private final Redis redis;

    public NodeDirectory(Redis redis) {
        this.redis = redis;
    }

    /** One live node's heartbeat hash. */
    public record NodeInfo(String id, Map<String, String> fields) {
        public int figure(String name) {
            String v = fields.get(name);
            return v == null ? 0 : Integer.parseInt(v);
        }
    }

    public List<NodeInfo> liveNodes() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (String node : redis.call(j -> j.smembers(redis.keys().nodes()))) {
            Map<String, String> h = redis.call(j -> j.hgetAll(redis.keys().node(node)));
            if (!h.isEmpty()) {
                nodes.add(new NodeInfo(node, h));
            }
        }
        return nodes;
    }

    /**
     * Nodes that registered and whose heartbeat expired: their own streams still need settling
     * (the stalled-job reclaim removes them from the registry when done).
     */
    public List<String> deadNodes() {
        return redis.call(j -> j.smembers(redis.keys().nodes())).stream().filter(n -> !isAlive(n)).toList();
    }

    /**
     * Forgets a dead node whose stream has been settled, unless something can still reach it: a job
     * sent to its stream since the settling, or a sandbox of it still on record (see forget_node.lua).
     *
     * @return true when it was forgotten
     */
    public boolean forget(String node) {
        Object r = redis.call(j -> FORGET.run(j, List.of(redis.keys().nodeStream(node),
                redis.keys().nodeSandboxes(node), redis.keys().nodes(), redis.keys().jobsStream()),
                List.of(node, RedisKeys.GROUP)));
        return Long.valueOf(1).equals(r);
    }

    /** How many sandboxes are on record for {@code node} (counted when reserved, so never behind a heartbeat). */
    public long sandboxCount(String node) {
        return redis.call(j -> j.scard(redis.keys().nodeSandboxes(node)));
    }

    public boolean isAlive(String node) {
        return redis.call(j -> j.exists(redis.keys().node(node)));
    }
}
