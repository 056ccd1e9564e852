package io.boxq.core.redis;

import io.boxq.core.job.Job;
import io.boxq.core.job.JobState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.ZRangeParams;
import redis.clients.jedis.resps.Tuple;

/**
 * Pages of one key's job index ({@code key:{k}:jobs}), newest first. submit.lua gives every job its
 * own score (from the id of its recent-jobs entry: 10^15 + Redis's ms × 1000 + the entry's sequence,
 * the ms being the job's submitted_at), so a cursor, the score just below the last entry looked at,
 * never splits jobs submitted in the same millisecond. One page looks at no more than {@link #MAX_SCANNED} entries,
 * whatever the state filter skips, and drops the entries of jobs that expired.
 */
final class KeyJobIndex {
    /** Index entries one page looks at, at most. */
    static final int MAX_SCANNED = 1000;
    /** Index entries read per round trip when a state filter may skip most of them. */
    private static final int FILTERED_BATCH = 200;

    private final Redis redis;
    private final String index;

    KeyJobIndex(Redis redis, String keyId) {
        this.redis = redis;
        this.index = redis.keys().keyJobs(keyId);
    }

    RedisJobStore.Page page(JobState state, long maxScore, int limit) {
        List<Job> jobs = new ArrayList<>();
        long max = maxScore;
        int scanned = 0;
        while (jobs.size() < limit && scanned < MAX_SCANNED) {
            int count = Math.min(state == null ? limit - jobs.size() : FILTERED_BATCH, MAX_SCANNED - scanned);
            double upper = max;
            List<Tuple> batch = redis.call(j -> j.zrangeWithScores(index,
                    ZRangeParams.zrangeByScoreParams(upper, Double.NEGATIVE_INFINITY).rev().limit(0, count)));
            List<String> states = statesOf(batch);
            List<String> wanted = new ArrayList<>();
            List<String> gone = new ArrayList<>();
            int looked = 0;
            while (looked < batch.size() && jobs.size() + wanted.size() < limit) {
                Tuple entry = batch.get(looked);
                String s = states.get(looked++);
                if (s == null) {
                    gone.add(entry.getElement());
                } else if (state == null || s.equals(state.wireName())) {
                    wanted.add(entry.getElement());
                }
                max = (long) entry.getScore() - 1;
            }
            scanned += looked;
            if (!gone.isEmpty()) {
                redis.run(j -> j.zrem(index, gone.toArray(String[]::new)));
            }
            // A job may have moved on since its state was read: the filter holds for what is shown.
            readAll(wanted).stream().filter(job -> state == null || job.state() == state).forEach(jobs::add);
            if (batch.size() < count && looked == batch.size()) {
                return new RedisJobStore.Page(jobs, null); // the index ends here
            }
        }
        return new RedisJobStore.Page(jobs, Long.toString(max));
    }

    /** The state of each job named in {@code batch} (null for a job that is gone), in one round trip. */
    private List<String> statesOf(List<Tuple> batch) {
        return redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<String>> states = batch.stream()
                        .map(t -> p.hget(redis.keys().job(t.getElement()), "state")).toList();
                p.sync();
                return states.stream().map(Response::get).toList();
            }
        });
    }

    /** The jobs {@code ids} name, in that order, without any that expired meanwhile; one round trip. */
    private List<Job> readAll(List<String> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        List<Map<String, String>> hashes = redis.call(j -> {
            try (AbstractPipeline p = j.pipelined()) {
                List<Response<Map<String, String>>> read = ids.stream()
                        .map(id -> p.hgetAll(redis.keys().job(id))).toList();
                p.sync();
                return read.stream().map(Response::get).toList();
            }
        });
        return hashes.stream().filter(h -> !h.isEmpty()).map(JobHash::read).toList();
    }
}
