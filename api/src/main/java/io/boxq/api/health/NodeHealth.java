package io.boxq.api.health;

import java.util.Map;

/**
 * The seed's flat {@code /health} figures of one node, as its heartbeat hash carries them, and how
 * many of its sandboxes are paused ({@code paused_sessions}, part of {@code active_sessions}).
 */
public record NodeHealth(String workerId, int available, int allocated, int total, int maxCapacity,
        int activeSessions, int poolSize, int maxPoolSize, boolean aggressiveCleanup, int pausedSessions) {

    static NodeHealth fromHash(Map<String, String> h) {
        return new NodeHealth(h.get("worker_id"), i(h, "available"), i(h, "allocated"), i(h, "total"),
                i(h, "max_capacity"), i(h, "active_sessions"), i(h, "pool_size"), i(h, "max_pool_size"),
                Boolean.parseBoolean(h.get("aggressive_cleanup")), i(h, "paused_sessions"));
    }

    private static int i(Map<String, String> h, String field) {
        String v = h.get(field);
        return v == null ? 0 : Integer.parseInt(v);
    }
}
