package io.boxq.executor.node;

import io.boxq.core.config.BoxqConfig;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.StoreUnavailableException;
import io.boxq.core.json.Json;
import io.boxq.executor.pool.PoolStats;
import io.boxq.executor.pool.ShapeStats;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The node's {@code node:{id}} hash: alive while its TTL runs, with the pool's figures for /health
 * and, per shape, for the admin overview. */
public final class NodeHeartbeat {
    private static final Logger log = LoggerFactory.getLogger(NodeHeartbeat.class);

    private final Redis redis;
    private final String node;
    private final BoxqConfig config;
    private final Clock clock;
    private final java.util.function.IntSupplier paused;

    /** A node that never pauses a sandbox. */
    public NodeHeartbeat(Redis redis, String node, BoxqConfig config, Clock clock) {
        this(redis, node, config, clock, () -> 0);
    }

    /** @param paused how many of the node's sandboxes are paused now */
    public NodeHeartbeat(Redis redis, String node, BoxqConfig config, Clock clock, java.util.function.IntSupplier paused) {
        this.paused = paused;
        this.redis = redis;
        this.node = node;
        this.config = config;
        this.clock = clock;
    }

    void beat(PoolStats stats) {
        beat(stats, List.of());
    }

    /** Writes the heartbeat; {@code shapes} go in as one JSON field for the admin overview. */
    public void beat(PoolStats stats, List<ShapeStats> shapes) {
        String key = redis.keys().node(node);
        Map<String, String> fields = new HashMap<>(Map.of(
                "worker_id", node,
                "available", Integer.toString(stats.available()),
                "allocated", Integer.toString(stats.allocated()),
                "total", Integer.toString(stats.total()),
                "max_capacity", Integer.toString(stats.maxCapacity()),
                "active_sessions", Integer.toString(stats.sandboxes()),
                "pool_size", Integer.toString(config.pool().poolSize()),
                "max_pool_size", Integer.toString(config.pool().maxPoolSize()),
                "aggressive_cleanup", Boolean.toString(config.pool().aggressiveCleanup()),
                "heartbeat_at", Long.toString(clock.millis())));
        fields.put("busy", Integer.toString(stats.busy()));
        fields.put("paused_sessions", Integer.toString(paused.getAsInt()));
        fields.put("shapes", Json.write(shapes));
        try {
            redis.run(j -> {
                j.hset(key, fields);
                j.expire(key, config.maintenance().nodeTtl().toSeconds());
                j.sadd(redis.keys().nodes(), node);
            });
        } catch (StoreUnavailableException e) {
            log.warn("heartbeat of {} not written: {}", node, e.getMessage());
        }
    }

    public void stop() {
        try {
            // Stays in the registry: the stalled-job reclaim settles what is left in its stream.
            redis.run(j -> j.del(redis.keys().node(node)));
        } catch (StoreUnavailableException e) {
            log.debug("heartbeat of {} not removed: {}", node, e.getMessage());
        }
    }
}
