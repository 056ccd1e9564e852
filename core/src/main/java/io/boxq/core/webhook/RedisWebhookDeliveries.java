package io.boxq.core.webhook;

import io.boxq.core.json.Json;
import io.boxq.core.redis.LuaScript;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Webhook deliveries in Redis (docs/architecture.md, "Redis layout"): {@code webhooks:due} orders job ids by their next
 * attempt; {@code webhook:{job}} is the delivery record and {@code webhook:{job}:attempts} its log.
 * The completion script puts a job in {@code webhooks:due} in the same call that stores its result,
 * so no delivery is lost between the two.
 */
public final class RedisWebhookDeliveries {
    private static final LuaScript CLAIM = LuaScript.load("/io/boxq/core/webhook/claim");
    private static final LuaScript RECORD = LuaScript.load("/io/boxq/core/webhook/record");

    private final Redis redis;
    private final RedisKeys keys;
    private final Duration resultTtl;

    public RedisWebhookDeliveries(Redis redis, Duration resultTtl) {
        this.redis = redis;
        this.keys = redis.keys();
        this.resultTtl = resultTtl;
    }

    /**
     * Takes up to {@code max} deliveries due at {@code now} for this node until {@code leaseEnd}.
     *
     * @return their job ids; pass {@code leaseEnd} back to {@link #record}
     */
    public List<String> claim(Instant now, Instant leaseEnd, int max) {
        Object reply = redis.call(j -> CLAIM.run(j, List.of(keys.webhooksDue()),
                List.of(Long.toString(now.toEpochMilli()), Long.toString(leaseEnd.toEpochMilli()), Integer.toString(max))));
        List<String> ids = new ArrayList<>();
        for (Object id : (List<?>) reply) {
            ids.add((String) id);
        }
        return ids;
    }

    /**
     * Stores an attempt (or none, with {@code attempt} null) and what comes next: a retry at {@code next},
     * or the end of the delivery when {@code next} is null.
     *
     * @param fields delivery fields to set (webhook id, url, event)
     * @return false when the lease ran out and another node owns the delivery: only the attempt was logged
     */
    public boolean record(String jobId, Instant leaseEnd, DeliveryAttempt attempt, DeliveryStatus status,
            Instant next, Map<String, String> fields, Instant now) {
        if ((next == null) == (status == DeliveryStatus.PENDING)) {
            throw new IllegalArgumentException("a pending delivery needs a next attempt, and only it");
        }
        List<String> args = new ArrayList<>(List.of(jobId, Long.toString(leaseEnd.toEpochMilli()),
                attempt == null ? "" : Json.write(attempt), status.wireName(),
                next == null ? "" : Long.toString(next.toEpochMilli()), Long.toString(now.toEpochMilli()),
                Long.toString(resultTtl.toMillis())));
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        Object done = redis.acknowledged(j -> RECORD.run(j, List.of(keys.webhooksDue(), keys.webhook(jobId),
                keys.webhookAttempts(jobId), keys.job(jobId)), args));
        return Long.valueOf(1).equals(done);
    }

    /** When the job's delivery is due next, if it is scheduled (or claimed: then the lease end). */
    public Optional<Instant> dueAt(String jobId) {
        Double score = redis.call(j -> j.zscore(keys.webhooksDue(), jobId));
        return score == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(score.longValue()));
    }

    /** The delivery record and its log; empty before the first attempt. */
    public Optional<Delivery> find(String jobId) {
        Map<String, String> h = redis.call(j -> j.hgetAll(keys.webhook(jobId)));
        if (h.isEmpty()) {
            return Optional.empty();
        }
        List<DeliveryAttempt> log = new ArrayList<>();
        for (String json : redis.call(j -> j.lrange(keys.webhookAttempts(jobId), 0, -1))) {
            log.add(Json.read(json, DeliveryAttempt.class));
        }
        return Optional.of(new Delivery(jobId, h.getOrDefault("webhook_id", Delivery.webhookIdOf(jobId)),
                h.get("url"), h.get("event"), DeliveryStatus.fromWire(h.getOrDefault("status", "pending")),
                Integer.parseInt(h.getOrDefault("attempts", "0")), instant(h.get("last_attempt_at")),
                instant(h.get("next_attempt_at")), log));
    }

    /** How many attempts were made so far (0 before the first). */
    public int attemptsMade(String jobId) {
        String n = redis.call(j -> j.hget(keys.webhook(jobId), "attempts"));
        return n == null ? 0 : Integer.parseInt(n);
    }

    private static Instant instant(String epochMillis) {
        return epochMillis == null ? null : Instant.ofEpochMilli(Long.parseLong(epochMillis));
    }
}
