package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.JobState;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisJobCountsTest {

    @Test
    void moves_give_the_counts_now() {
        // 5 submitted, 4 starts (one of them a requeued job's second), 1 cancelled while queued, 1 succeeded
        Map<String, String> h = new HashMap<>(Map.of("submitted", "5", "started", "4", "requeued", "1",
                "ended_queued", "1", "ended:succeeded", "1", "ended:cancelled", "1"));
        Map<JobState, Long> c = RedisJobCounts.derive(h);
        assertThat(c.get(JobState.QUEUED)).isEqualTo(5 + 1 - 4 - 1);
        assertThat(c.get(JobState.RUNNING)).isEqualTo(4 - 1 - 2 + 1);
        assertThat(c.get(JobState.SUCCEEDED)).isEqualTo(1);
        assertThat(c.get(JobState.CANCELLED)).isEqualTo(1);
        assertThat(c.get(JobState.ERROR)).isZero();
    }

    @Test
    void counts_kept_by_earlier_versions_and_moves_add_up_whichever_version_made_each_change() {
        // before: 2 queued (a, b), 1 running (r), 7 succeeded, kept as counts
        Map<String, Long> h = new HashMap<>(Map.of("queued", 2L, "running", 1L, "succeeded", 7L));
        // this version starts a, and ends r as failed
        add(h, "started", 1);
        add(h, "ended:failed", 1);
        // an older process still running: starts b and ends a (counts itself)
        add(h, "queued", -1);
        add(h, "running", 1);
        add(h, "running", -1);
        add(h, "succeeded", 1);
        // this version submits c and d, starts c; an older process cancels d while queued
        add(h, "submitted", 2);
        add(h, "started", 1);
        add(h, "queued", -1);
        add(h, "cancelled", 1);
        Map<String, String> stored = new HashMap<>();
        h.forEach((k, v) -> stored.put(k, Long.toString(v)));

        Map<JobState, Long> c = RedisJobCounts.derive(stored);

        assertThat(c.get(JobState.QUEUED)).isZero();
        assertThat(c.get(JobState.RUNNING)).as("b and c").isEqualTo(2);
        assertThat(c.get(JobState.SUCCEEDED)).isEqualTo(8);
        assertThat(c.get(JobState.FAILED)).isEqualTo(1);
        assertThat(c.get(JobState.CANCELLED)).isEqualTo(1);
    }

    private static void add(Map<String, Long> h, String field, long by) {
        h.merge(field, by, Long::sum);
    }
}
