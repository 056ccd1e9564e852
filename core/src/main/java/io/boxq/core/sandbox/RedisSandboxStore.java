package io.boxq.core.sandbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.boxq.core.json.Json;
import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import io.boxq.core.usage.RedisUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

/**
 * Sandboxes in Redis: one hash each, plus the sets that quotas count (per key, per user, all, per
 * node). Taking and giving back a place are single Lua calls. The sets hold live sandboxes only: an
 * ended sandbox leaves them in the same call that marks its record ended, and the record then
 * expires after the retention time (meanwhile its owner can still read how and why it ended).
 */
public final class RedisSandboxStore {
    private static final LuaScript RESERVE = LuaScript.load("sandbox_reserve");
    private static final LuaScript RELEASE = LuaScript.load("sandbox_release");
    private static final LuaScript UPDATE = LuaScript.load("sandbox_update");
    private static final LuaScript ADD_VIOLATION = LuaScript.load("/io/boxq/core/sandbox/sandbox_violation");
    private static final LuaScript RESERVE_MANY = LuaScript.load("sandbox_reserve_many");
    /** Violations kept on a sandbox's record; older ones stay in the audit stream. */
    static final int MAX_VIOLATIONS = 20;
    private static final TypeReference<List<ResourceViolation>> VIOLATIONS = new TypeReference<>() {};
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private final Redis redis;
    private final RedisKeys keys;
    private final Clock clock;
    private final RedisUsage usage;
    private final Duration endedRetention;

    /** @param endedRetention how long an ended sandbox's record stays readable (zero: deleted at once) */
    public RedisSandboxStore(Redis redis, Clock clock, Duration endedRetention) {
        this.redis = redis;
        this.keys = redis.keys();
        this.clock = clock;
        this.usage = new RedisUsage(redis);
        this.endedRetention = endedRetention;
    }

    /** The limits a reservation is checked against; -1 means "no such ceiling". */
    public record Limits(int tier, int perKey, int perUser, int system) {}

    /**
     * Records a new sandbox in state {@code creating} on {@code node}, if every limit allows.
     *
     * @throws QuotaExceededException naming the limit that was hit
     */
    public void reserve(Sandbox s, Limits limits) {
        List<String> args = new ArrayList<>(List.of(s.id(), Integer.toString(limits.tier()),
                Integer.toString(limits.perKey()), Integer.toString(limits.perUser()), Integer.toString(limits.system())));
        toHash(s).forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        String outcome = (String) redis.acknowledged(j -> RESERVE.run(j, setKeys(s), args));
        if (!"ok".equals(outcome)) {
            throw new QuotaExceededException(outcome, switch (outcome) {
                case "tier" -> "the tier allows " + limits.tier() + " sandboxes at once";
                case "api_key" -> "this API key may hold " + limits.perKey() + " sandboxes at once";
                case "user" -> "this user may hold " + limits.perUser() + " sandboxes at once";
                default -> "the system holds its maximum of " + limits.system() + " sandboxes";
            });
        }
    }

    /**
     * Records several new sandboxes of one key, all on one node, if every limit and the node's
     * {@code nodeRoom} (its maximum; -1: none) allow all of them; else none.
     *
     * @throws QuotaExceededException naming the limit that was hit ({@code node}: the node is full)
     */
    public void reserveAll(List<Sandbox> all, Limits limits, int nodeRoom) {
        Sandbox first = all.get(0);
        List<String> k = new ArrayList<>(setKeys(first).subList(1, 5));
        all.forEach(s -> k.add(keys.sandbox(s.id())));
        List<String> args = new ArrayList<>(List.of(Integer.toString(limits.tier()), Integer.toString(limits.perKey()),
                Integer.toString(limits.perUser()), Integer.toString(limits.system()), Integer.toString(nodeRoom)));
        for (Sandbox s : all) {
            Map<String, String> h = toHash(s);
            args.add(s.id());
            args.add(Integer.toString(h.size() * 2));
            h.forEach((f, v) -> {
                args.add(f);
                args.add(v);
            });
        }
        String outcome = (String) redis.acknowledged(j -> RESERVE_MANY.run(j, k, args));
        if (!"ok".equals(outcome)) {
            throw new QuotaExceededException(outcome, switch (outcome) {
                case "tier" -> "the tier allows " + limits.tier() + " sandboxes at once";
                case "api_key" -> "this API key may hold " + limits.perKey() + " sandboxes at once";
                case "user" -> "this user may hold " + limits.perUser() + " sandboxes at once";
                case "node" -> "the node of the sandbox holds its maximum of " + nodeRoom + " sandboxes";
                default -> "the system holds its maximum of " + limits.system() + " sandboxes";
            });
        }
    }

    /**
     * Ends a live sandbox: gives its places back, deletes its stats history, and keeps its record,
     * marked {@code how} with {@code reason}, for the retention time. True when this call ended it
     * (then its lifetime is counted in its key's usage, exactly once); false when it had already
     * ended or is gone, which leaves how it ended as it was.
     */
    public boolean end(Sandbox s, SandboxEnd how, String reason) {
        return release(s, how.wireName(), reason);
    }

    /** Gives the places of a sandbox that never came to be (its container could not be had) back and forgets it. */
    public boolean discard(Sandbox s) {
        return release(s, "", "");
    }

    private boolean release(Sandbox s, String state, String reason) {
        Instant pausedAt = find(s.id()).map(Sandbox::pausedAt).orElse(null); // the caller's copy may be older
        List<String> args = List.of(s.id(), state, Long.toString(clock.millis()), reason == null ? "" : reason,
                Long.toString(endedRetention.toMillis()));
        Object released = redis.call(j -> RELEASE.run(j, releaseKeys(s), args));
        redis.run(j -> j.del(keys.sandboxStats(s.id())));
        boolean ended = Long.valueOf(1).equals(released);
        if (ended) {
            usage.sandboxEnded(s.keyId(), s.createdAt(), clock.instant());
            if (pausedAt != null) {
                usage.sandboxPaused(s.keyId(), pausedAt, clock.instant());
            }
        }
        return ended;
    }

    /**
     * Adds a violation to the sandbox's record (the newest {@link #MAX_VIOLATIONS} are kept), unless
     * the sandbox has ended meanwhile.
     */
    public void addViolation(String id, ResourceViolation violation) {
        redis.call(j -> ADD_VIOLATION.run(j, List.of(keys.sandbox(id)),
                List.of(Json.write(violation), Integer.toString(MAX_VIOLATIONS))));
    }

    /** The sandbox's record, live or ended (an ended one until its retention time is over). */
    public Optional<Sandbox> find(String id) {
        Map<String, String> h = redis.call(j -> j.hgetAll(keys.sandbox(id)));
        return h.isEmpty() ? Optional.empty() : Optional.of(fromHash(h));
    }

    /**
     * The sandboxes of {@code ids} whose records still exist (live or ended), oldest first, read in
     * one pipeline.
     */
    public List<Sandbox> findAll(java.util.Collection<String> ids) {
        List<Map<String, String>> hashes = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<Map<String, String>>> replies =
                        ids.stream().map(id -> p.hgetAll(keys.sandbox(id))).toList();
                p.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        List<Sandbox> list = new ArrayList<>();
        hashes.stream().filter(h -> !h.isEmpty()).forEach(h -> list.add(fromHash(h)));
        list.sort(java.util.Comparator.comparing(Sandbox::createdAt));
        return list;
    }

    /**
     * The caller's sandbox, live or ended.
     *
     * @throws SandboxNotFoundException when there is none, or it belongs to another key
     */
    public Sandbox get(String id, String keyId) {
        return find(id).filter(s -> s.keyId().equals(keyId)).orElseThrow(() -> new SandboxNotFoundException(id));
    }

    /**
     * The caller's sandbox, which must still live.
     *
     * @throws SandboxNotFoundException when there is none, or it belongs to another key
     * @throws SandboxEndedException when it has ended
     */
    public Sandbox getLive(String id, String keyId) {
        Sandbox s = get(id, keyId);
        if (s.ended()) {
            throw new SandboxEndedException(s);
        }
        return s;
    }

    /** The key's live sandboxes, oldest first. */
    public List<Sandbox> listForKey(String keyId) {
        return live(findAll(redis.call(j -> j.smembers(keys.keySandboxes(keyId)))));
    }

    /** The key's ended sandboxes whose records are still kept, oldest first. */
    public List<Sandbox> listEndedForKey(String keyId) {
        String since = Long.toString(clock.millis() - endedRetention.toMillis());
        List<String> ids = redis.call(j -> j.zrangeByScore(keys.keyEndedSandboxes(keyId), since, "+inf"));
        return findAll(ids).stream().filter(Sandbox::ended).toList();
    }

    /** The node's live sandboxes, oldest first. */
    public List<Sandbox> listForNode(String node) {
        return live(findAll(redis.call(j -> j.smembers(keys.nodeSandboxes(node)))));
    }

    /**
     * Drops records that ended between reading a quota set and reading the records: the sets hold
     * live sandboxes only, and nothing that lists them may show or count an ended one as live.
     */
    public static List<Sandbox> live(List<Sandbox> sandboxes) {
        return sandboxes.stream().filter(s -> !s.ended()).toList();
    }

    public Set<String> allIds() {
        return redis.call(j -> j.smembers(keys.sandboxes()));
    }

    public long countForKey(String keyId) {
        return redis.call(j -> j.scard(keys.keySandboxes(keyId)));
    }

    public long countForUser(String user) {
        return redis.call(j -> j.scard(keys.userSandboxes(user)));
    }

    public long countAll() {
        return redis.call(j -> j.scard(keys.sandboxes()));
    }

    /** @return false when the sandbox has ended or is gone meanwhile (nothing is written then) */
    public boolean markReady(String id, String containerId) {
        return updateIfLive(id, Map.of("state", "ready", "container_id", containerId));
    }

    /**
     * Marks a ready sandbox paused since {@code at} (its container was just frozen).
     *
     * @return false when the sandbox has ended or is gone meanwhile (nothing is written then)
     */
    public boolean markPaused(String id, Instant at) {
        return updateIfLive(id, Map.of("state", "paused", "paused_at", Long.toString(at.toEpochMilli())));
    }

    /**
     * Marks a paused sandbox ready again (its container was just thawed); the pause counts in its
     * key's {@code paused_seconds}. Resuming counts as activity: its idle timeout starts again.
     *
     * @return false when the sandbox has ended or is gone meanwhile (nothing is written then)
     */
    public boolean markResumed(Sandbox s, Instant at) {
        boolean written = updateIfLive(s.id(), Map.of("state", "ready", "paused_at", "",
                "last_activity", Long.toString(at.toEpochMilli())));
        if (written && s.pausedAt() != null) {
            usage.sandboxPaused(s.keyId(), s.pausedAt(), at);
        }
        return written;
    }

    /** Notes activity now (a job, a file call, a keepalive): the idle timeout starts again. */
    public void touch(String id) {
        updateIfLive(id, Map.of("last_activity", Long.toString(clock.millis())));
    }

    /**
     * Moves the end of the sandbox's lifetime to {@code expiresAt} (already clamped by the caller).
     *
     * @return false when the sandbox has ended or is gone meanwhile (nothing is written then)
     */
    public boolean extend(String id, Instant expiresAt) {
        return updateIfLive(id, Map.of("expires_at", Long.toString(expiresAt.toEpochMilli()),
                "last_activity", Long.toString(clock.millis())));
    }

    private boolean updateIfLive(String id, Map<String, String> fields) {
        List<String> args = new ArrayList<>();
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        return Long.valueOf(1).equals(redis.call(j -> UPDATE.run(j, List.of(keys.sandbox(id)), args)));
    }

    private List<String> setKeys(Sandbox s) {
        return List.of(keys.sandbox(s.id()), keys.keySandboxes(s.keyId()), keys.userSandboxes(s.user()),
                keys.sandboxes(), keys.nodeSandboxes(s.node()));
    }

    private List<String> releaseKeys(Sandbox s) {
        List<String> k = new ArrayList<>(setKeys(s));
        k.add(keys.keyEndedSandboxes(s.keyId()));
        return k;
    }

    static Map<String, String> toHash(Sandbox s) {
        Map<String, String> h = new HashMap<>();
        h.put("id", s.id());
        h.put("key_id", s.keyId());
        h.put("user", s.user());
        h.put("node", s.node());
        h.put("image", s.image());
        h.put("memory_bytes", Long.toString(s.memoryBytes()));
        h.put("env", Json.write(s.env()));
        h.put("state", s.state());
        h.put("created_at", Long.toString(s.createdAt().toEpochMilli()));
        h.put("last_activity", Long.toString(s.lastActivity().toEpochMilli()));
        h.put("idle_timeout_s", Long.toString(s.idleTimeout().toSeconds()));
        h.put("expires_at", Long.toString(s.expiresAt().toEpochMilli()));
        h.put("max_expires_at", Long.toString(s.maxExpiresAt().toEpochMilli()));
        if (s.runtime() != null) {
            h.put("runtime", s.runtime());
        }
        return h;
    }

    static Sandbox fromHash(Map<String, String> h) {
        Map<String, String> env;
        try {
            env = Json.mapper().readValue(h.getOrDefault("env", "{}"), STRING_MAP);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw corrupt(h, "env", e);
        }
        return new Sandbox(h.get("id"), h.get("key_id"), h.get("user"), h.get("node"), h.get("container_id"),
                h.get("image"), Long.parseLong(h.getOrDefault("memory_bytes", "0")), env, h.get("state"),
                instant(h, "created_at"), instant(h, "last_activity"),
                Duration.ofSeconds(Long.parseLong(h.getOrDefault("idle_timeout_s", "300"))),
                instant(h, "expires_at"), instant(h, "max_expires_at"), h.get("error"), violations(h),
                h.containsKey("ended_at") ? instant(h, "ended_at") : null, h.get("end_reason"),
                h.getOrDefault("paused_at", "").isEmpty() ? null : instant(h, "paused_at"), h.get("runtime"));
    }

    private static List<ResourceViolation> violations(Map<String, String> h) {
        String json = h.get("violations");
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        try {
            return Json.mapper().readValue(json, VIOLATIONS);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw corrupt(h, "violations", e);
        }
    }

    /** A field boxq wrote that does not read back is a bug or tampering, never "empty". */
    private static IllegalStateException corrupt(Map<String, String> h, String field, Exception e) {
        return new IllegalStateException("sandbox " + h.get("id") + ": its " + field + " is not valid JSON", e);
    }

    private static Instant instant(Map<String, String> h, String field) {
        return Instant.ofEpochMilli(Long.parseLong(h.getOrDefault(field, "0")));
    }
}
