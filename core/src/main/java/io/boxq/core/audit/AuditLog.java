package io.boxq.core.audit;

import io.boxq.core.redis.Redis;
import io.boxq.core.redis.StoreUnavailableException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XAddParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Who did what, in the {@code audit} stream, capped near {@link #MAX_ENTRIES}. Entries name key
 * ids, never keys.
 */
public final class AuditLog {
    private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
    public static final long MAX_ENTRIES = 100_000;

    private final Redis redis;
    private final Clock clock;

    public AuditLog(Redis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** One audit entry; {@code id} is the stream id, usable as a paging cursor. */
    public record Entry(String id, long at, String actor, String action, String target, Map<String, String> details) {}

    public void record(String actor, String action, String target, Map<String, String> details) {
        Map<String, String> fields = new HashMap<>(details);
        fields.put("at", Long.toString(clock.millis()));
        fields.put("actor", actor);
        fields.put("action", action);
        fields.put("target", target == null ? "" : target);
        try {
            redis.run(j -> j.xadd(redis.keys().audit(),
                    XAddParams.xAddParams().maxLen(MAX_ENTRIES).approximateTrimming(), fields));
        } catch (StoreUnavailableException e) {
            log.warn("audit entry {} {} not written: {}", action, target, e.getMessage());
        }
    }

    /** Newest first, entries older than {@code before} (a stream id; null for the newest). */
    public List<Entry> page(String before, int limit) {
        StreamEntryID end = before == null ? StreamEntryID.MAXIMUM_ID : new StreamEntryID(before);
        List<StreamEntry> raw = redis.call(j -> j.xrevrange(redis.keys().audit(), end, StreamEntryID.MINIMUM_ID,
                limit + 1));
        List<Entry> out = new ArrayList<>();
        for (StreamEntry e : raw) {
            if (before != null && e.getID().toString().equals(before)) {
                continue;
            }
            Map<String, String> f = new LinkedHashMap<>(e.getFields());
            long at = Long.parseLong(f.getOrDefault("at", "0"));
            String actor = f.remove("actor");
            String action = f.remove("action");
            String target = f.remove("target");
            f.remove("at");
            out.add(new Entry(e.getID().toString(), at, actor, action, target, f));
            if (out.size() == limit) {
                break;
            }
        }
        return out;
    }
}
