package io.boxq.core.snapshot;

import com.fasterxml.jackson.core.type.TypeReference;
import io.boxq.core.json.Json;
import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.sandbox.QuotaExceededException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

/**
 * Snapshot records in Redis: one hash each, a per-key index (count limit, listing), a per-key byte
 * counter (size limit) and an expiry index (the sweep). Reserving, marking ready and deleting are
 * single Lua calls, so parallel snapshots never pass a limit and the counter never drifts from the
 * ready records. A record is {@code pending} until its node has renamed the complete file into place.
 */
public final class RedisSnapshotStore {
    private static final LuaScript RESERVE = LuaScript.load("snapshot_reserve");
    private static final LuaScript READY = LuaScript.load("snapshot_ready");
    private static final LuaScript DELETE = LuaScript.load("snapshot_delete");
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};

    private final Redis redis;
    private final SnapshotKeys keys;
    private final Clock clock;

    public RedisSnapshotStore(Redis redis, Clock clock) {
        this.redis = redis;
        this.keys = new SnapshotKeys(redis.keys());
        this.clock = clock;
    }

    /**
     * Records {@code s} as pending, if its key keeps fewer than {@code maxCount} snapshots.
     *
     * @throws QuotaExceededException {@code snapshot_count} when the key keeps its maximum
     */
    public void reserve(Snapshot s, int maxCount) {
        List<String> args = new ArrayList<>(List.of(s.id(), Integer.toString(maxCount),
                Long.toString(s.createdAt().toEpochMilli()), Long.toString(s.expiresAt().toEpochMilli())));
        toHash(s).forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        Object outcome = redis.call(j -> RESERVE.run(j, List.of(keys.snapshot(s.id()), keys.keySnapshots(s.keyId()),
                keys.expiry()), args));
        if (!"ok".equals(outcome)) {
            throw new QuotaExceededException("snapshot_count", "this API key may keep " + maxCount + " snapshots");
        }
    }

    /** What a key's ready snapshots take of its size limit. */
    public long bytesUsed(String keyId) {
        String used = redis.call(j -> j.get(keys.keySnapshotBytes(keyId)));
        return used == null ? 0 : Long.parseLong(used);
    }

    /** How many snapshots a key keeps (pending ones too: they hold their place in its count). */
    public long countForKey(String keyId) {
        return redis.call(j -> j.zcard(keys.keySnapshots(keyId)));
    }

    /** The outcome of {@link #markReady}. */
    public enum ReadyOutcome { READY, GONE, TOO_LARGE }

    /**
     * Marks a pending snapshot ready with its size and skipped paths, if its key's ready snapshots
     * and this one stay within {@code maxBytes}; call it only once the file is complete.
     */
    public ReadyOutcome markReady(Snapshot s, long sizeBytes, List<String> skipped, String runtime, long maxBytes) {
        Object outcome = redis.call(j -> READY.run(j, List.of(keys.snapshot(s.id()), keys.keySnapshotBytes(s.keyId())),
                List.of(Long.toString(sizeBytes), Long.toString(maxBytes), "skipped", Json.write(skipped),
                        "runtime", runtime == null ? "" : runtime)));
        return switch ((String) outcome) {
            case "ok" -> ReadyOutcome.READY;
            case "snapshot_bytes" -> ReadyOutcome.TOO_LARGE;
            default -> ReadyOutcome.GONE;
        };
    }

    public Optional<Snapshot> find(String id) {
        Map<String, String> h = redis.call(j -> j.hgetAll(keys.snapshot(id)));
        return h.isEmpty() ? Optional.empty() : Optional.of(fromHash(h));
    }

    /** The snapshot if it belongs to {@code keyId}; another key's is as absent as a missing one. */
    public Optional<Snapshot> find(String id, String keyId) {
        return find(id).filter(s -> s.keyId().equals(keyId));
    }

    /** A key's snapshots, oldest first (records that vanished meanwhile are left out), read in one pipeline. */
    public List<Snapshot> listForKey(String keyId) {
        List<String> ids = redis.call(j -> j.zrange(keys.keySnapshots(keyId), 0, -1));
        List<Map<String, String>> hashes = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<Map<String, String>>> replies = ids.stream().map(id -> p.hgetAll(keys.snapshot(id))).toList();
                p.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        return hashes.stream().filter(h -> !h.isEmpty()).map(RedisSnapshotStore::fromHash).toList();
    }

    /** Ids of snapshots whose lifetime ended by {@code now}, at most {@code limit}. */
    public List<String> expiredBy(Instant now, int limit) {
        return redis.call(j -> j.zrangeByScore(keys.expiry(), 0, now.toEpochMilli(), 0, limit));
    }

    /** Pending and ready snapshots alike, by expiry; the sweep walks these for pending ones of dead nodes. */
    public List<String> allIds() {
        return redis.call(j -> j.zrange(keys.expiry(), 0, -1));
    }

    /**
     * Forgets a snapshot's record (its file is its node's to remove).
     *
     * @return whether there was one
     */
    public boolean delete(Snapshot s) {
        Object n = redis.call(j -> DELETE.run(j, List.of(keys.snapshot(s.id()), keys.keySnapshots(s.keyId()),
                keys.expiry(), keys.keySnapshotBytes(s.keyId())), List.of(s.id())));
        return Long.valueOf(1).equals(n);
    }

    /** Forgets an id left in the expiry index without a record. */
    public void forgetId(String id) {
        redis.run(j -> j.zrem(keys.expiry(), id));
    }

    public Instant now() {
        return clock.instant();
    }

    private static Map<String, String> toHash(Snapshot s) {
        Map<String, String> h = new HashMap<>();
        h.put("id", s.id());
        h.put("key_id", s.keyId());
        h.put("sandbox_id", s.sandboxId());
        h.put("node", s.node());
        h.put("image", s.image());
        h.put("runtime", s.runtime());
        h.put("size_bytes", Long.toString(s.sizeBytes()));
        h.put("state", s.state());
        h.put("created_at", Long.toString(s.createdAt().toEpochMilli()));
        h.put("expires_at", Long.toString(s.expiresAt().toEpochMilli()));
        h.put("skipped", Json.write(s.skipped()));
        h.put("shared", Boolean.toString(s.shared()));
        return h;
    }

    private static Snapshot fromHash(Map<String, String> h) {
        return new Snapshot(h.get("id"), h.get("key_id"), h.get("sandbox_id"), h.get("node"), h.get("image"),
                h.get("runtime"), Long.parseLong(h.getOrDefault("size_bytes", "0")), h.get("state"),
                Instant.ofEpochMilli(Long.parseLong(h.get("created_at"))),
                Instant.ofEpochMilli(Long.parseLong(h.get("expires_at"))),
                Json.mapper().convertValue(Json.read(h.getOrDefault("skipped", "[]"), List.class), STRINGS),
                Boolean.parseBoolean(h.get("shared")));
    }
}
