package io.boxq.core.redis;

import io.boxq.core.job.OutputChunk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.params.XReadParams;
import redis.clients.jedis.resps.StreamEntry;

/**
 * A job's live output in {@code out:{job}}: a stream the node appends the chunks of a running
 * command to ({@code stream}, {@code offset}, {@code data} in base64), which readers follow with
 * {@code XREAD}. It is written only while a command runs past the first tick of its runner
 * (~100 ms), so a short job costs no write here: readers take what it lacks from the result. A
 * reader that wants to be woken by the end adds a {@code watch} entry first; {@code complete.lua}
 * then appends an {@code end} entry. The first entry of each writer also marks the job's hash
 * ({@code live_output}, in the same script call), so {@code complete.lua} learns from the hash it
 * reads anyway whether there is a stream to end. The stream lives as long as the result.
 */
public final class RedisJobOutput {
    private static final LuaScript ADD_MARKED = LuaScript.load("output_add");

    private final Redis redis;
    private final RedisKeys keys;
    private final Duration ttl;

    /** @param ttl how long the stream is kept after its last write (the job result's TTL) */
    public RedisJobOutput(Redis redis, Duration ttl) {
        this.redis = redis;
        this.keys = redis.keys();
        this.ttl = ttl;
    }

    /** Where a reader starts: before the first entry. */
    public static final String START = "0-0";

    /** One entry of the stream, by its stream id: a chunk, or a marker ({@code chunk} null: a watch or the end). */
    public record Entry(String id, OutputChunk chunk, boolean end) {}

    /**
     * Where one run of a job writes its chunks: the first chunk stored also marks the job's hash,
     * the others are a plain append.
     */
    public Consumer<OutputChunk> appender(String jobId) {
        AtomicBoolean marked = new AtomicBoolean();
        return chunk -> {
            Map<String, String> fields = Map.of("stream", chunk.stream().wireName(), "offset",
                    Long.toString(chunk.offset()), "data", Base64.getEncoder().encodeToString(chunk.data()));
            if (marked.get()) {
                add(jobId, fields);
            } else {
                addMarked(jobId, fields);
                marked.set(true);
            }
        };
    }

    /** Makes sure the stream exists and the job is marked, so that the job's end is appended to it (and wakes {@link #read}). */
    public void watch(String jobId) {
        addMarked(jobId, Map.of("watch", "1"));
    }

    /**
     * The entries after the one with id {@code after} ({@link #START}: all), at most {@code count}; waits up to {@code block} for the
     * first one when there is none yet ({@link Duration#ZERO}: does not wait).
     *
     * @return the entries, oldest first; empty when none came in time
     */
    public List<Entry> read(String jobId, String after, int count, Duration block) {
        XReadParams params = XReadParams.xReadParams().count(count);
        if (block.isPositive()) {
            params.block((int) block.toMillis());
        }
        var reply = redis.call(j -> j.xread(params, Map.of(keys.jobOutput(jobId), new StreamEntryID(after))));
        List<Entry> entries = new ArrayList<>();
        if (reply != null) {
            for (var stream : reply) {
                for (StreamEntry e : stream.getValue()) {
                    entries.add(entry(e));
                }
            }
        }
        return entries;
    }

    private void add(String jobId, Map<String, String> fields) {
        String key = keys.jobOutput(jobId);
        redis.run(j -> {
            j.xadd(key, StreamEntryID.NEW_ENTRY, fields);
            j.expire(key, Math.max(1, ttl.toSeconds()));
        });
    }

    private void addMarked(String jobId, Map<String, String> fields) {
        List<String> args = new ArrayList<>();
        args.add(Long.toString(Math.max(1, ttl.toSeconds())));
        fields.forEach((k, v) -> {
            args.add(k);
            args.add(v);
        });
        redis.call(j -> ADD_MARKED.run(j, List.of(keys.jobOutput(jobId), keys.job(jobId)), args));
    }

    /** An entry as stored; one this class did not write (or a mangled one) reads as a marker. */
    private static Entry entry(StreamEntry e) {
        Map<String, String> f = e.getFields();
        if (f.containsKey("end")) {
            return new Entry(e.getID().toString(), null, true);
        }
        try {
            String stream = f.get("stream");
            return stream == null ? new Entry(e.getID().toString(), null, false)
                    : new Entry(e.getID().toString(), new OutputChunk(OutputChunk.Stream.fromWire(stream),
                            Long.parseLong(f.get("offset")), Base64.getDecoder().decode(f.get("data"))), false);
        } catch (IllegalArgumentException | NullPointerException ex) {
            return new Entry(e.getID().toString(), null, false);
        }
    }
}
