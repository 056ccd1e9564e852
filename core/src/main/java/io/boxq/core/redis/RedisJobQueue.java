package io.boxq.core.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.XAutoClaimParams;
import redis.clients.jedis.params.XReadGroupParams;
import redis.clients.jedis.resps.StreamEntry;

/** The executors' side of the job streams: consumer group {@code executors}, one consumer per node. */
public final class RedisJobQueue {
    private static final Logger log = LoggerFactory.getLogger(RedisJobQueue.class);
    private static final LuaScript RENEW = LuaScript.load("renew");
    private static final LuaScript RECLAIM = LuaScript.load("reclaim");

    private final Redis redis;

    public RedisJobQueue(Redis redis) {
        this.redis = redis;
    }

    /** One delivered stream entry: which stream, its id, the job it names, and the job's sandbox (or null). */
    /**
     * A stream entry: the job it names, the sandbox it runs in (null: any container), and for a
     * sandbox operation its kind (null for a job).
     */
    public record Entry(String stream, String entryId, String jobId, String sandboxId, String op) {
        public Entry(String stream, String entryId, String jobId, String sandboxId) {
            this(stream, entryId, jobId, sandboxId, null);
        }
    }

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
        List<Map.Entry<String, List<StreamEntry>>> reply;
        try {
            reply = redis.call(j -> j.xreadGroup(RedisKeys.GROUP, consumer, params, from));
        } catch (JedisDataException e) {
            String m = String.valueOf(e.getMessage());
            if (!m.startsWith("NOGROUP") && !m.startsWith("UNBLOCKED")) {
                throw e;
            }
            // A stream was deleted under the reader (its node was taken for dead, or by hand): without
            // its group every later read fails, so make them again and read on.
            log.warn("a stream of {} or its group is gone, creating them again: {}", consumer, m);
            streams.forEach(this::ensureGroup);
            return new ArrayList<>();
        }
        List<Entry> entries = new ArrayList<>();
        if (reply == null) {
            return entries;
        }
        for (Map.Entry<String, List<StreamEntry>> perStream : reply) {
            for (StreamEntry e : perStream.getValue()) {
                entries.add(toEntry(perStream.getKey(), e));
            }
        }
        return entries;
    }

    /** What a lease renewal found. */
    public enum Lease {
        /** Renewed, or nothing left to renew (the entry was acknowledged: the job ended). */
        HELD,
        /** Renewed, and a cancel was asked for the job. */
        CANCEL_REQUESTED,
        /** Another consumer has taken the entry over: this attempt lost its lease. */
        LOST
    }

    /**
     * Renews the lease of an entry this consumer is working on, unless another consumer has taken
     * it over (a reclaimed entry is never taken back).
     */
    public Lease renew(Entry entry, String consumer) {
        Object r = redis.call(j -> RENEW.run(j, List.of(entry.stream(), redis.keys().job(entry.jobId())),
                List.of(RedisKeys.GROUP, consumer, entry.entryId())));
        long code = (Long) r;
        return code == 0 ? Lease.LOST : code == 3 ? Lease.CANCEL_REQUESTED : Lease.HELD;
    }

    /**
     * Takes over entries of {@code stream} that nobody renewed for {@code minIdleMillis}, continuing
     * from the cursor saved by the last call.
     */
    public List<Entry> autoclaim(String stream, String consumer, long minIdleMillis, int count) {
        String cursorKey = redis.keys().reclaimCursor(stream);
        String saved = redis.call(j -> j.get(cursorKey));
        StreamEntryID from = saved == null ? new StreamEntryID(0, 0) : new StreamEntryID(saved);
        Map.Entry<StreamEntryID, List<StreamEntry>> reply = redis.call(j -> j.xautoclaim(stream, RedisKeys.GROUP,
                consumer, minIdleMillis, from, XAutoClaimParams.xAutoClaimParams().count(count)));
        redis.run(j -> j.set(cursorKey, reply.getKey().toString()));
        List<Entry> entries = new ArrayList<>();
        for (StreamEntry e : reply.getValue()) {
            entries.add(toEntry(stream, e));
        }
        return entries;
    }

    /** Every entry of a stream, delivered or not (a dead node's own stream). */
    public List<Entry> all(String stream) {
        List<Entry> entries = new ArrayList<>();
        for (StreamEntry e : redis.call(j -> j.xrange(stream, "-", "+"))) {
            entries.add(toEntry(stream, e));
        }
        return entries;
    }

    /** What {@link #reclaim} decided. */
    public enum Reclaim { RUN, ENDED, DROPPED }

    /**
     * Settles an entry taken over from a lost consumer (see reclaim.lua): run it here, or end its
     * job {@code error} with {@code reason}.
     *
     * @param force end the job now whatever its attempts
     */
    public Reclaim reclaim(Entry entry, int maxDeliveries, String reason, boolean force, Duration resultTtl) {
        RedisKeys k = redis.keys();
        String outcome = (String) redis.call(j -> RECLAIM.run(j,
                List.of(k.job(entry.jobId()), entry.stream(), k.keyRunning(keyOf(entry)), k.deadLetters(),
                        k.webhooksDue(), k.jobStates()),
                List.of(entry.jobId(), entry.entryId(), RedisKeys.GROUP, Long.toString(System.currentTimeMillis()),
                        Long.toString(resultTtl.toSeconds()), k.doneChannel(), Integer.toString(maxDeliveries), reason,
                        force ? "1" : "0")));
        return Reclaim.valueOf(outcome.toUpperCase(java.util.Locale.ROOT));
    }

    private String keyOf(Entry entry) {
        String keyId = redis.call(j -> j.hget(redis.keys().job(entry.jobId()), "key_id"));
        return keyId == null ? "none" : keyId;
    }

    private static Entry toEntry(String stream, StreamEntry e) {
        Map<String, String> f = e.getFields() == null ? Map.of() : e.getFields();
        return new Entry(stream, e.getID().toString(), f.get("job"), blankToNull(f.get("sandbox")), blankToNull(f.get("op")));
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
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
