package io.boxq.api.health;

import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.StoreUnavailableException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /health}, without auth, in the seed's shape. A process running an executor reports its
 * own node; an api-only process reports the sums over live nodes' heartbeats and lists them.
 */
public final class HealthRoutes {
    private final Redis redis;
    private final Supplier<Optional<NodeHealth>> localNode;
    private final String processId;

    public HealthRoutes(Redis redis, Supplier<Optional<NodeHealth>> localNode, String processId) {
        this.redis = redis;
        this.localNode = localNode;
        this.processId = processId;
    }

    public void register(Javalin app) {
        app.get("/health", this::health);
    }

    private void health(Context ctx) {
        boolean redisUp = pingRedis();
        Optional<NodeHealth> local = localNode.get();
        List<NodeHealth> nodes = local.isPresent() || !redisUp ? List.of() : liveNodes();
        NodeHealth sum = local.orElseGet(() -> sum(nodes));
        String status = !redisUp ? "unhealthy" : local.isEmpty() && nodes.isEmpty() ? "degraded" : "healthy";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("worker_id", local.isPresent() ? sum.workerId() : processId);
        body.put("pool", Map.of("available", sum.available(), "allocated", sum.allocated(),
                "total", sum.total(), "max_capacity", sum.maxCapacity()));
        body.put("active_sessions", sum.activeSessions());
        body.put("paused_sessions", sum.pausedSessions());
        body.put("config", Map.of("pool_size", sum.poolSize(), "max_pool_size", sum.maxPoolSize(),
                "aggressive_cleanup", sum.aggressiveCleanup()));
        body.put("redis", redisUp ? "up" : "down");
        if (local.isEmpty()) {
            body.put("nodes", nodes);
        }
        ctx.status(redisUp ? 200 : 503).json(body);
    }

    private boolean pingRedis() {
        try {
            return "PONG".equals(redis.call(j -> j.ping()));
        } catch (StoreUnavailableException e) {
            return false;
        }
    }

    private List<NodeHealth> liveNodes() {
        return new NodeDirectory(redis).liveNodes().stream().map(n -> NodeHealth.fromHash(n.fields())).toList();
    }

    private static NodeHealth sum(List<NodeHealth> nodes) {
        return new NodeHealth(null,
                nodes.stream().mapToInt(NodeHealth::available).sum(),
                nodes.stream().mapToInt(NodeHealth::allocated).sum(),
                nodes.stream().mapToInt(NodeHealth::total).sum(),
                nodes.stream().mapToInt(NodeHealth::maxCapacity).sum(),
                nodes.stream().mapToInt(NodeHealth::activeSessions).sum(),
                nodes.stream().mapToInt(NodeHealth::poolSize).sum(),
                nodes.stream().mapToInt(NodeHealth::maxPoolSize).sum(),
                nodes.stream().anyMatch(NodeHealth::aggressiveCleanup),
                nodes.stream().mapToInt(NodeHealth::pausedSessions).sum());
    }
}
