package io.boxq.core.redis;

import io.boxq.core.job.JobState;
import java.util.EnumMap;
import java.util.Map;

/**
 * Jobs by state, read from the {@code jobs:states} hash that the job scripts keep in the same call
 * that moves a job (submit, start, complete, cancel, requeue, reclaim). {@code queued} and
 * {@code running} are the jobs in that state now; a terminal state is how many jobs ever ended in
 * it, a running total that does not drop when finished jobs expire. Sandbox operations are not
 * counted. One HGETALL, whatever the number of jobs.
 */
public final class RedisJobCounts {
    private final Redis redis;

    public RedisJobCounts(Redis redis) {
        this.redis = redis;
    }

    /** Every state, in the order of {@link JobState}, with 0 for a state no job has reached yet. */
    public Map<JobState, Long> byState() {
        Map<String, String> stored = redis.call(j -> j.hgetAll(redis.keys().jobStates()));
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            counts.put(s, Long.parseLong(stored.getOrDefault(s.wireName(), "0")));
        }
        return counts;
    }
}
