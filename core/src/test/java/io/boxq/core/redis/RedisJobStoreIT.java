package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.job.SandboxOp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.resps.Tuple;

/**
 * The job store against a real Redis ({@code REDIS_URL}), under a prefix of its own. The clock is
 * fixed, so every job of a test is submitted in the same millisecond: the case where a cursor made
 * of the submit time alone loses jobs at a page boundary.
 */
class RedisJobStoreIT {
    private static final String PREFIX = "test-it-jobstore-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private static final Clock SAME_MILLISECOND = Clock.fixed(Instant.parse("2026-11-29T03:00:00.123Z"), ZoneOffset.UTC);

    private static Redis redis;
    private static RedisJobStore store;

    @BeforeAll
    static void connect() {
        redis = TestRedis.connect(PREFIX);
        store = new RedisJobStore(redis, Duration.ofMinutes(5), SAME_MILLISECOND);
    }

    @AfterAll
    static void deleteKeys() {
        TestRedis.deleteAllAndClose(redis, PREFIX);
    }

    @Test
    void jobs_of_one_millisecond_are_listed_exactly_once_across_page_boundaries_newest_first() {
        String key = newKeyId();
        List<String> submitted = submit(key, 25);

        List<String> listed = listAll(key, null, 10);

        assertThat(listed).as("every job once, newest first").containsExactlyElementsOf(submitted.reversed());
    }

    @Test
    void the_order_and_submit_times_agree_whatever_the_clocks_of_the_api_processes() {
        String key = newKeyId();
        RedisJobStore later = new RedisJobStore(redis, Duration.ofMinutes(5),
                Clock.offset(SAME_MILLISECOND, Duration.ofHours(1)));
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String id = JobIds.newJobId();
            RedisJobStore s = i % 2 == 0 ? later : store;
            Job job = s.submit(id, key, 1 << 20, JobSpec.of("true", 5), redis.keys().jobsStream(), 1);
            assertThat(job.submittedAt()).as("as stored").isEqualTo(store.find(id).orElseThrow().submittedAt());
            submitted.add(id);
        }

        List<String> listed = listAll(key, null, 2);

        assertThat(listed).containsExactlyElementsOf(submitted.reversed());
        List<Instant> queuedAt = listed.stream().map(id -> store.find(id).orElseThrow().submittedAt()).toList();
        assertThat(queuedAt).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(queuedAt.getFirst()).as("Redis's clock, not the api's").isBetween(
                Instant.now().minusSeconds(60), Instant.now().plusSeconds(60));
    }

    @Test
    void over_a_thousand_submits_in_one_redis_millisecond_keep_scores_unique_and_in_order() {
        String key = newKeyId();
        String other = newKeyId();
        List<String> before = submit(key, 2);
        long ahead = System.currentTimeMillis() + 60_000; // Redis runs on this host
        redis.run(j -> j.eval("return redis.call('XSETID', KEYS[1], ARGV[1])", List.of(redis.keys().recentJobs()),
                List.of(ahead + "-997")));
        List<String> burst = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            burst.addAll(submit(key, 1));
            submit(other, 1);
        }

        List<String> listed = listAll(key, null, 3);

        List<String> all = new ArrayList<>(before);
        all.addAll(burst);
        assertThat(listed).containsExactlyElementsOf(all.reversed());
        List<Tuple> scores = redis.call(j -> j.zrangeWithScores(redis.keys().keyJobs(key), 0, -1));
        assertThat(scores.stream().map(t -> (long) t.getScore()).distinct().count()).isEqualTo(all.size());
    }

    @Test
    void a_state_filter_pages_through_only_that_state_and_loses_none_of_it() {
        String key = newKeyId();
        List<String> submitted = submit(key, 30);
        List<String> succeeded = new ArrayList<>();
        for (int i = 0; i < submitted.size(); i += 3) {
            end(submitted.get(i), JobState.SUCCEEDED);
            succeeded.add(submitted.get(i));
        }
        List<String> queued = new ArrayList<>(submitted);
        queued.removeAll(succeeded);

        assertThat(listAll(key, JobState.SUCCEEDED, 3)).containsExactlyElementsOf(succeeded.reversed());
        assertThat(listAll(key, JobState.QUEUED, 7)).containsExactlyElementsOf(queued.reversed());
        assertThat(listAll(key, JobState.RUNNING, 5)).isEmpty();
    }

    @Test
    void a_filtered_page_looks_at_a_bounded_part_of_the_index_and_says_where_to_go_on() {
        String key = newKeyId();
        String oldest = submit(key, 1).getFirst();
        submit(key, KeyJobIndex.MAX_SCANNED + 50); // all queued: none of them matches the filter
        end(oldest, JobState.FAILED);

        RedisJobStore.Page first = store.list(key, JobState.FAILED, Long.MAX_VALUE, 10);

        assertThat(first.jobs()).as("the one failed job lies past what one page may look at").isEmpty();
        assertThat(first.nextCursor()).isNotNull();
        assertThat(listAll(key, JobState.FAILED, 10)).containsExactly(oldest);
    }

    @Test
    void entries_of_jobs_that_are_gone_are_skipped_and_dropped_from_the_index() {
        String key = newKeyId();
        List<String> submitted = submit(key, 12);
        redis.run(j -> j.del(redis.keys().job(submitted.get(4)), redis.keys().job(submitted.get(5))));

        List<String> listed = listAll(key, null, 5);

        List<String> expected = new ArrayList<>(submitted.reversed());
        expected.removeAll(List.of(submitted.get(4), submitted.get(5)));
        assertThat(listed).containsExactlyElementsOf(expected);
        long indexed = redis.call(j -> j.zcard(redis.keys().keyJobs(key)));
        assertThat(indexed).isEqualTo(10);
    }

    @Test
    void jobs_by_state_move_once_per_real_change_and_never_for_a_repeat_or_a_stale_token() {
        RedisJobCounts counts = new RedisJobCounts(redis);
        Map<JobState, Long> before = counts.byState();
        String key = newKeyId();
        List<String> ids = submit(key, 4);
        String a = ids.get(0);
        String b = ids.get(1);
        String c = ids.get(2);
        String d = ids.get(3);
        redis.run(j -> j.hset(redis.keys().job(b), "max_attempts", "2"));

        RedisJobStore.Start startA = store.start(a, "it-node");
        assertThat(store.start(a, "it-node").token()).as("a second start of a running job takes nothing").isZero();
        Job jobA = store.find(a).orElseThrow();
        assertThat(store.complete(jobA, null, startA.token() + 1, JobState.FAILED, exit(1), null)).isFalse();
        assertThat(store.complete(jobA, null, startA.token(), JobState.SUCCEEDED, exit(0), null)).isTrue();
        assertThat(store.complete(jobA, null, startA.token(), JobState.SUCCEEDED, exit(0), null))
                .as("the same attempt's end again (its answer was lost): answered, stored once").isTrue();

        RedisJobStore.Start startB = store.start(b, "it-node");
        assertThat(store.requeue(b, startB.token())).isTrue();
        assertThat(store.requeue(b, startB.token())).as("requeued already").isFalse();
        RedisJobStore.Start againB = store.start(b, "it-node");
        assertThat(store.requeue(b, startB.token())).as("a stale token").isFalse();
        assertThat(store.requeue(b, againB.token())).as("no attempt left").isFalse();
        assertThat(store.complete(store.find(b).orElseThrow(), null, againB.token(), JobState.TIMED_OUT,
                null, null)).isTrue();

        assertThat(store.cancel(c, key, 1)).isEqualTo(RedisJobStore.Cancel.CANCELLED);
        assertThat(store.cancel(c, key, 1)).isEqualTo(RedisJobStore.Cancel.ALREADY_ENDED);

        RedisJobQueue queue = new RedisJobQueue(redis);
        RedisJobQueue.Entry entry = new RedisJobQueue.Entry(redis.keys().jobsStream(), "0-1", d, null);
        RedisJobStore.Start startD = store.start(d, "it-node");
        assertThat(queue.reclaim(entry, 5, "executor lost", true, Duration.ofMinutes(5)))
                .isEqualTo(RedisJobQueue.Reclaim.ENDED);
        assertThat(store.complete(store.find(d).orElseThrow(), null, startD.token(), JobState.SUCCEEDED, exit(0),
                null)).as("the reclaim ended it: not this attempt's end").isFalse();
        assertThat(queue.reclaim(entry, 5, "executor lost", true, Duration.ofMinutes(5)))
                .isEqualTo(RedisJobQueue.Reclaim.DROPPED);

        String op = store.submitOp(key, "sbx_000000000000", redis.keys().jobsStream(),
                new SandboxOp(SandboxOp.Kind.STATS, null), new byte[0], 5);
        RedisJobStore.Start startOp = store.start(op, "it-node");
        assertThat(store.complete(store.find(op).orElseThrow(), null, startOp.token(), JobState.SUCCEEDED, exit(0),
                null)).isTrue();

        Map<JobState, Long> after = counts.byState();
        Map<JobState, Long> moved = new EnumMap<>(JobState.class);
        after.forEach((state, n) -> moved.put(state, n - before.get(state)));
        assertThat(moved).containsExactlyInAnyOrderEntriesOf(Map.of(JobState.QUEUED, 0L, JobState.RUNNING, 0L,
                JobState.SUCCEEDED, 1L, JobState.FAILED, 0L, JobState.TIMED_OUT, 1L, JobState.CANCELLED, 1L,
                JobState.ERROR, 1L));
    }

    @Test
    void a_start_tried_again_with_its_start_id_gets_the_same_token_and_another_start_none() {
        String id = submit(newKeyId(), 1).getFirst();

        RedisJobStore.Start first = store.start(id, "it-node", "start-1");
        RedisJobStore.Start again = store.start(id, "it-node", "start-1");
        RedisJobStore.Start other = store.start(id, "it-node", "start-2");

        assertThat(first.running()).isTrue();
        assertThat(again.running()).isTrue();
        assertThat(again.token()).isEqualTo(first.token());
        assertThat(again.job().startedAt()).as("the first try's start time").isEqualTo(first.job().startedAt());
        assertThat(other.running()).as("another start of a running job takes nothing").isFalse();
        assertThat(store.find(id).orElseThrow().attempt()).isEqualTo(first.token());
    }

    @Test
    void queued_and_running_count_the_jobs_in_those_states_now() {
        RedisJobCounts counts = new RedisJobCounts(redis);
        Map<JobState, Long> before = counts.byState();
        String key = newKeyId();
        List<String> ids = submit(key, 3);
        RedisJobStore.Start first = store.start(ids.get(0), "it-node");

        Map<JobState, Long> now = counts.byState();

        assertThat(now.get(JobState.QUEUED) - before.get(JobState.QUEUED)).isEqualTo(2);
        assertThat(now.get(JobState.RUNNING) - before.get(JobState.RUNNING)).isEqualTo(1);
        store.complete(store.find(ids.get(0)).orElseThrow(), null, first.token(), JobState.FAILED, exit(2), null);
        end(ids.get(1), JobState.SUCCEEDED);
        end(ids.get(2), JobState.SUCCEEDED);
        Map<JobState, Long> ended = counts.byState();
        assertThat(ended.get(JobState.QUEUED)).isEqualTo(before.get(JobState.QUEUED));
        assertThat(ended.get(JobState.RUNNING)).isEqualTo(before.get(JobState.RUNNING));
        assertThat(ended.get(JobState.SUCCEEDED) - before.get(JobState.SUCCEEDED)).isEqualTo(2);
        assertThat(ended.get(JobState.FAILED) - before.get(JobState.FAILED)).isEqualTo(1);
    }

    private static CommandResult exit(int code) {
        return new CommandResult(code, new byte[0], new byte[0], false, false, false);
    }

    /** Follows next_cursor until the listing ends; fails on a page longer than {@code limit}. */
    private static List<String> listAll(String keyId, JobState state, int limit) {
        List<String> ids = new ArrayList<>();
        long cursor = Long.MAX_VALUE;
        for (int pages = 0; pages < 1000; pages++) {
            RedisJobStore.Page page = store.list(keyId, state, cursor, limit);
            assertThat(page.jobs().size()).isLessThanOrEqualTo(limit);
            page.jobs().forEach(job -> ids.add(job.id()));
            if (page.nextCursor() == null) {
                return ids;
            }
            cursor = Long.parseLong(page.nextCursor());
        }
        throw new AssertionError("the listing of " + keyId + " did not end");
    }

    private static List<String> submit(String keyId, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = JobIds.newJobId();
            store.submit(id, keyId, 1 << 20, JobSpec.of("true", 5), redis.keys().jobsStream(), 1);
            ids.add(id);
        }
        return ids;
    }

    /** Takes a queued job as a node would and stores its end. */
    private static void end(String id, JobState state) {
        RedisJobStore.Start start = store.start(id, "it-node");
        assertThat(start.running()).isTrue();
        Job job = store.find(id).orElseThrow();
        assertThat(store.complete(job, null, start.token(), state, exit(state == JobState.SUCCEEDED ? 0 : 1), null))
                .isTrue();
    }

    private static String newKeyId() {
        return "key_" + RandomIds.hex(6);
    }
}
