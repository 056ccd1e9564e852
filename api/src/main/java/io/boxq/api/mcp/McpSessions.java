package io.boxq.api.mcp;

import io.boxq.core.id.RandomIds;
import io.boxq.core.redis.Redis;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * MCP sessions in Redis ({@code mcp:{id}}: key id, protocol version, created), so any api process
 * behind the load balancer serves any session. A session belongs to the key that opened it: for
 * every other key it does not exist. It ends on DELETE, or after {@link #IDLE} without a request.
 */
final class McpSessions {
    static final Duration IDLE = Duration.ofHours(24);
    static final String PREFIX = "mcp_";

    /** An open session: the key it belongs to and the protocol version agreed at initialize. */
    record Session(String id, String keyId, String protocolVersion) {}

    private final Redis redis;
    private final Clock clock;

    McpSessions(Redis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    Session open(String keyId, String protocolVersion) {
        String id = PREFIX + RandomIds.hex(16);
        String key = redis.keys().mcpSession(id);
        redis.run(j -> {
            j.hset(key, Map.of("key", keyId, "protocol", protocolVersion,
                    "created_at", clock.instant().toString()));
            j.expire(key, IDLE.toSeconds());
        });
        return new Session(id, keyId, protocolVersion);
    }

    /** The session, if it is open and {@code keyId}'s; each find keeps it alive for another {@link #IDLE}. */
    Optional<Session> find(String id, String keyId) {
        if (!RandomIds.looksLikeId(id, PREFIX)) {
            return Optional.empty();
        }
        String key = redis.keys().mcpSession(id);
        Map<String, String> fields = redis.call(j -> j.hgetAll(key));
        if (fields.isEmpty() || !keyId.equals(fields.get("key"))) {
            return Optional.empty();
        }
        redis.run(j -> j.expire(key, IDLE.toSeconds()));
        return Optional.of(new Session(id, keyId, fields.get("protocol")));
    }

    /** Ends the session; false when it was not an open session of {@code keyId}. */
    boolean close(String id, String keyId) {
        if (find(id, keyId).isEmpty()) {
            return false;
        }
        return redis.call(j -> j.del(redis.keys().mcpSession(id))) > 0;
    }
}
