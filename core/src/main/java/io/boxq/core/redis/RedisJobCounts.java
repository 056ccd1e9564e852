package io.boxq.core.redis;

import io.boxq.core.job.JobState;
import java.util.EnumMap;
import java.util.Map;

/**
 * Jobs by state, derived from the {@code jobs:states} hash of moves that the job scripts keep in the
 * same call that moves a job. Each move is one {@code HINCRBY}: {@code submitted} (submit),
 * {@code started} (start), {@code ended:<state>} (complete, cancel, reclaim); the rare ones add
 * {@code requeued} (requeue, reclaim: running back to queued) and {@code ended_queued} (a job that
 * ended without running again: cancel while queued, reclaim's end of a queued job). Sandbox
 * operations are not counted. Then
 * <pre>
 * queued  = submitted + requeued - started - ended_queued
 * running = started - requeued - (sum of ended:*) + ended_queued
 * </pre>
 * and a terminal state is how many jobs ever ended in it (a running total that does not drop when
 * finished jobs expire). Versions before this one kept the counts themselves ({@code queued},
 * {@code running}, and a terminal state under its bare name); those fields are added to what the
 * moves give, so a Redis written by both (data from before, or an older process still running
 * during a rolling upgrade) is counted exactly without a conversion: every move, old or new, changes
 * the sum by what it should. One HGETALL, whatever the number of jobs.
 */
public final class RedisJobCounts {
    private final Redis redis;

    public RedisJobCounts(Redis redis) {
        this.redis = redis;
    }

    /** Every state, in the order of {@link JobState}, with 0 for a state no job has reached yet. */
    public Map<JobState, Long> byState() {
        return derive(redis.call(j -> j.hgetAll(redis.keys().jobStates())));
    }

    static Map<JobState, Long> derive(Map<String, String> stored) {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        long ended = 0;
        for (JobState s : JobState.values()) {
            long moves = get(stored, "ended:" + s.wireName());
            ended += moves;
            counts.put(s, get(stored, s.wireName()) + moves);
        }
        long submitted = get(stored, "submitted");
        long started = get(stored, "started");
        long requeued = get(stored, "requeued");
        long endedQueued = get(stored, "ended_queued");
        counts.put(JobState.QUEUED, get(stored, "queued") + submitted + requeued - started - endedQueued);
        counts.put(JobState.RUNNING, get(stored, "running") + started - requeued - ended + endedQueued);
        return counts;
    }

    private static long get(Map<String, String> stored, String field) {
        String v = stored.get(field);
        return v == null ? 0 : Long.parseLong(v);
    }
}
