package io.boxq.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.SandboxOp;
import io.boxq.core.redis.RecentJobs;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.sandbox.RecentViolations;
import io.boxq.core.sandbox.ResourceViolation;
import io.boxq.server.TestEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two capped indexes behind {@code GET /v1/system/overview}, against a real Redis: they never
 * grow past their cap, list newest first, and leave out what is not a job or is gone.
 */
class RecentIndexesIT {
    private final String prefix = "test-" + TestEnvironment.unique("recent") + ":";
    private final Redis redis = new Redis(TestEnvironment.redisUrl(), prefix, 4);
    /** One millisecond later on every reading, so that each job has its own submit time. */
    private final RedisJobStore store = new RedisJobStore(redis, Duration.ofHours(1), new Clock() {
        private final AtomicLong now = new AtomicLong(System.currentTimeMillis());

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.incrementAndGet());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    });

    @AfterEach
    void cleanUp() {
        redis.close();
        TestEnvironment.deleteRedisKeys(prefix);
    }

    @Test
    void recent_jobs_keep_only_the_newest_jobs_newest_first_without_sandbox_operations() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < RecentJobs.KEPT + 5; i++) {
            String id = JobIds.newJobId();
            store.submit(id, "key_a", 256L << 20, JobSpec.of("echo " + i, 30), redis.keys().jobsStream(), 1000);
            ids.add(id);
        }
        store.submitOp("key_a", "sbx_x", redis.keys().nodeStream("n1"), new SandboxOp(SandboxOp.Kind.STATS, null),
                null, 30);

        long kept = redis.call(j -> j.xlen(redis.keys().recentJobs()));
        assertThat(kept).isEqualTo(RecentJobs.KEPT);
        List<RecentJobs.Summary> newest = new RecentJobs(redis).newest(3);
        assertThat(newest).extracting(RecentJobs.Summary::id)
                .containsExactly(ids.get(ids.size() - 1), ids.get(ids.size() - 2), ids.get(ids.size() - 3));
        assertThat(newest.get(0).command()).isEqualTo("echo " + (RecentJobs.KEPT + 4));
        assertThat(newest.get(0).state()).isEqualTo("queued");
        assertThat(newest.get(0).keyId()).isEqualTo("key_a");
    }

    @Test
    void a_job_whose_hash_expired_is_dropped_from_the_recent_jobs() {
        String gone = JobIds.newJobId();
        String kept = JobIds.newJobId();
        store.submit(gone, "key_b", 1, JobSpec.of("echo gone", 30), redis.keys().jobsStream(), 10);
        store.submit(kept, "key_b", 1, JobSpec.of("echo kept", 30), redis.keys().jobsStream(), 10);
        redis.run(j -> j.del(redis.keys().job(gone)));

        assertThat(new RecentJobs(redis).newest(10)).extracting(RecentJobs.Summary::id).containsExactly(kept);
        List<String> indexed = redis.call(j -> j.xrange(redis.keys().recentJobs(), "-", "+")).stream()
                .map(e -> e.getFields().get("job")).toList();
        assertThat(indexed).containsExactly(kept);
    }

    @Test
    void recent_violations_are_capped_newest_first() {
        RecentViolations recent = new RecentViolations(redis);
        for (int i = 0; i < RecentViolations.KEPT + 10; i++) {
            recent.record(new RecentViolations.Entry("sbx_" + i, "key_c", "n1", new ResourceViolation(
                    Instant.ofEpochSecond(i), ResourceViolation.Kind.DISK, ResourceViolation.Level.WARNING, 85, 80,
                    "recorded")));
        }

        long length = redis.call(j -> j.llen(redis.keys().recentViolations()));
        assertThat(length).isEqualTo(RecentViolations.KEPT);
        List<RecentViolations.Entry> newest = recent.newest(2);
        assertThat(newest).extracting(RecentViolations.Entry::sandboxId)
                .containsExactly("sbx_" + (RecentViolations.KEPT + 9), "sbx_" + (RecentViolations.KEPT + 8));
        assertThat(newest.get(0).violation().kind()).isEqualTo(ResourceViolation.Kind.DISK);
        assertThat(newest.get(0).violation().at()).isEqualTo(Instant.ofEpochSecond(RecentViolations.KEPT + 9));
    }
}
