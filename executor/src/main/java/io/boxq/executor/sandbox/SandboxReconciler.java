package io.boxq.executor.sandbox;

import io.boxq.core.audit.AuditLog;
import io.boxq.core.redis.NodeDirectory;
import io.boxq.core.redis.Redis;
import io.boxq.core.sandbox.RedisSandboxStore;
import io.boxq.core.sandbox.Sandbox;
import io.boxq.core.sandbox.SandboxEnd;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.params.SetParams;

/**
 * Global sweep: sandboxes whose node is dead died with it; they end {@code lost} and their quota
 * places are given back. One node at a time runs it (a Redis lock), since it looks at every node's
 * sandboxes. Only live sandboxes are in the set it walks; an id whose record is gone or has ended
 * is dropped from it.
 */
public final class SandboxReconciler {
    private static final long LOCK_MILLIS = 60_000;

    private final Redis redis;
    private final RedisSandboxStore sandboxes;
    private final NodeDirectory nodes;
    private final AuditLog audit;
    private final String node;

    public SandboxReconciler(Redis redis, RedisSandboxStore sandboxes, AuditLog audit, String node) {
        this.redis = redis;
        this.sandboxes = sandboxes;
        this.nodes = new NodeDirectory(redis);
        this.audit = audit;
        this.node = node;
    }

    /** @return how many sandboxes were given up */
    public int reconcile() {
        String lock = redis.keys().lock("reconcile-sandboxes");
        String taken = redis.call(j -> j.set(lock, node, SetParams.setParams().nx().px(LOCK_MILLIS)));
        if (!"OK".equals(taken)) {
            return 0;
        }
        int released = 0;
        try {
            for (String id : sandboxes.allIds()) {
                Optional<Sandbox> s = sandboxes.find(id);
                if (s.isEmpty() || s.get().ended()) {
                    redis.run(j -> j.srem(redis.keys().sandboxes(), id));
                } else if (!nodes.isAlive(s.get().node())
                        && sandboxes.end(s.get(), SandboxEnd.LOST, "its node " + s.get().node() + " stopped answering")) {
                    audit.record("system", "sandbox.lost", id, Map.of("node", s.get().node()));
                    released++;
                }
            }
        } finally {
            redis.run(j -> j.del(lock));
        }
        return released;
    }
}
