package io.boxq.core.sandbox;

import io.boxq.core.json.Json;
import io.boxq.core.redis.Redis;
import java.util.ArrayList;
import java.util.List;

/**
 * The newest resource violations of all sandboxes, for the admin overview, in the capped list
 * {@code violations:recent} (newest first). The audit stream keeps every one; this list keeps them
 * findable without scanning it, and outlives the sandboxes (a terminated one is gone with its record).
 */
public final class RecentViolations {
    /** Violations the list keeps. */
    public static final int KEPT = 100;

    private final Redis redis;

    public RecentViolations(Redis redis) {
        this.redis = redis;
    }

    /** One violation with the sandbox, key and node it happened on. */
    public record Entry(String sandboxId, String keyId, String node, ResourceViolation violation) {}

    public void record(Entry entry) {
        String list = redis.keys().recentViolations();
        redis.run(j -> {
            j.lpush(list, Json.write(entry));
            j.ltrim(list, 0, KEPT - 1);
        });
    }

    /** Up to {@code limit} of the newest, newest first; entries that cannot be read are skipped. */
    public List<Entry> newest(int limit) {
        List<Entry> entries = new ArrayList<>();
        for (String json : redis.call(j -> j.lrange(redis.keys().recentViolations(), 0, limit - 1))) {
            try {
                entries.add(Json.read(json, Entry.class));
            } catch (RuntimeException e) {
                // an entry of another version: leave it out
            }
        }
        return entries;
    }
}
