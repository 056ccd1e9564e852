package io.boxq.core.redis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The executor nodes whose heartbeat has not expired, with the figures they last reported. */
public final class NodeDirectory {
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
            if (h.isEmpty()) {
                redis.run(j -> j.srem(redis.keys().nodes(), node));
            } else {
                nodes.add(new NodeInfo(node, h));
            }
        }
        return nodes;
    }

    public boolean isAlive(String node) {
        return redis.call(j -> j.exists(redis.keys().node(node)));
    }
}
