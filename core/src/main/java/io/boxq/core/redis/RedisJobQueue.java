package io.boxq.core.redis;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/** The executors' side of the job streams: consumer group {@code executors}, one consumer per node. */
public final class RedisJobQueue {
    private final Redis redis;

    public RedisJobQueue(Redis redis) {
        this.redis = redis;
    }

    /** One delivered stream entry: which stream, its id, the job it names, and the job's sandbox (or null). */
    public record Entry(String stream, String entryId, String jobId, String sandboxId) {}

    /** Creates the group on {@code stream} (and the stream) unless it exists; reads from the start. */
    public void ensureGroup(String stream) {
        try {
            redis.run(j -> j.xgroupCreate(stream, RedisKeys.GROUP, new StreamEntryID(0, 0), true));
        } catch (JedisDataException e) {
            if (!String.valueOf(e.getMessage()).startsWith("BUSYGROUP")) {
                throw e;
            }
        }
    }

    /**
     * Reads up to {@code count} entries for {@code consumer}, waiting up to {@code blockMillis}.
     *
     * @param pending true to re-read this consumer's own pending entries (after a restart) instead of new ones
     */
    public List<Entry> read(String consumer, List<String> streams, int count, int blockMillis, boolean pending) {
        Map<String, StreamEntryID> from = new LinkedHashMap<>();
        for (String s : streams) {
            from.put(s, pending ? new StreamEntryID(0, 0) : StreamEntryID.XREADGROUP_UNDELIVERED_ENTRY);
        }
        XReadGroupParams params = XReadGroupParams.xReadGroupParams().count(count);
        if (!pending) {
            params.block(blockMillis);
        }
        List<Map.Entry<String, List<StreamEntry>>> reply =
                redis.call(j -> j.xreadGroup(RedisKeys.GROUP, consumer, params, from));
        List<Entry> entries = new ArrayList<>();
        if (reply == null) {
            return entries;
        }
        for (Map.Entry<String, List<StreamEntry>> perStream : reply) {
            for (StreamEntry e : perStream.getValue()) {
                Map<String, String> f = e.getFields() == null ? Map.of() : e.getFields();
                String sandbox = f.get("sandbox");
                entries.add(new Entry(perStream.getKey(), e.getID().toString(), f.get("job"),
                        sandbox == null || sandbox.isEmpty() ? null : sandbox));
            }
        }
        return entries;
    }

    /** Acknowledges and deletes an entry that names no runnable job (unknown, already ended, cancelled). */
    public void discard(Entry entry) {
        StreamEntryID id = new StreamEntryID(entry.entryId());
        redis.run(j -> {
            j.xack(entry.stream(), RedisKeys.GROUP, id);
            j.xdel(entry.stream(), id);
        });
    }
}
