package io.boxq.core.redis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.StreamEntryID;
import redis.clients.jedis.resps.StreamEntry;

/**
 * The newest jobs of every key, for the admin overview: {@code submit.lua} appends each job to the
 * {@code jobs:latest} stream with an exact {@code MAXLEN} of {@link #KEPT} (one command: the append
 * trims), so reading it costs one {@code XREVRANGE} and one pipeline of at most {@code limit} small
 * {@code HMGET}s (never the spec or the output, which may be megabytes).
 */
public final class RecentJobs {
    /** Jobs the index keeps. */
    public static final int KEPT = 200;
    private static final String[] FIELDS = {"id", "key_id", "state", "command_preview", "sandbox_id", "node",
            "attempt", "exit_code", "error", "submitted_at", "started_at", "finished_at"};

    private final Redis redis;

    public RecentJobs(Redis redis) {
        this.redis = redis;
    }

    /** A job as listed: no spec, no output; times are null until they happen. */
    public record Summary(String id, String keyId, String state, String command, String sandboxId, String node,
            int attempt, Integer exitCode, String error, Instant queuedAt, Instant startedAt, Instant finishedAt) {}

    /** Up to {@code limit} of the newest jobs, newest first; jobs whose hash expired are dropped from the index. */
    public List<Summary> newest(int limit) {
        String index = redis.keys().recentJobs();
        List<StreamEntry> entries = redis.call(j -> j.xrevrange(index, "+", "-", limit));
        List<String> ids = entries.stream().map(e -> e.getFields().getOrDefault("job", "")).toList();
        List<List<String>> rows = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<List<String>>> replies = ids.stream().map(id -> p.hmget(redis.keys().job(id), FIELDS))
                        .toList();
                p.sync();
                return replies.stream().map(Response::get).toList();
            }
        });
        List<Summary> jobs = new ArrayList<>();
        List<StreamEntryID> gone = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            List<String> f = rows.get(i);
            if (f.get(2) == null) {
                gone.add(entries.get(i).getID());
                continue;
            }
            jobs.add(new Summary(ids.get(i), f.get(1), f.get(2), f.get(3), f.get(4), f.get(5),
                    f.get(6) == null ? 0 : Integer.parseInt(f.get(6)), f.get(7) == null ? null : Integer.valueOf(f.get(7)),
                    f.get(8), instant(f.get(9)), instant(f.get(10)), instant(f.get(11))));
        }
        if (!gone.isEmpty()) {
            redis.run(j -> j.xdel(index, gone.toArray(StreamEntryID[]::new)));
        }
        return jobs;
    }

    private static Instant instant(String millis) {
        return millis == null ? null : Instant.ofEpochMilli(Long.parseLong(millis));
    }
}
