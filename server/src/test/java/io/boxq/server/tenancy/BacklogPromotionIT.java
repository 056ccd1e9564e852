package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.core.redis.RedisKeys;
import io.boxq.server.TestEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.ScanParams;

/**
 * The store under {@link FairnessIT}, against real Redis: when a key's running jobs end at the same
 * moment, every freed run slot goes to the key's backlog. (Each completion peeks the backlog's head
 * before its Lua call; two that peek the same head must not leave a slot empty.)
 */
class BacklogPromotionIT {
    private static final int LIMIT = 2;
    private static final int ROUNDS = 40;
    private static final CommandResult OK = new CommandResult(0, new byte[0], new byte[0], false, false, false);

    private static String prefix;
    private static Redis redis;
    private static RedisKeys keys;
    private static RedisJobStore store;

    @BeforeAll
    static void connect() {
        prefix = "test-" + TestEnvironment.unique("promote") + ":";
        redis = new Redis(TestEnvironment.redisUrl(), prefix, 16);
        keys = redis.keys();
        store = new RedisJobStore(redis, Duration.ofMinutes(5), Clock.systemUTC());
    }

    @AfterAll
    static void cleanUp() {
        ScanParams match = new ScanParams().match(prefix + "*").count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            String from = cursor;
            var page = redis.call(j -> j.scan(from, match));
            page.getResult().forEach(k -> redis.run(j -> j.del(k)));
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        redis.close();
        assertThat(TestEnvironment.redisKeys(prefix).size()).isZero();
    }

    @Test
    void running_jobs_that_end_together_hand_every_slot_to_the_backlog() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String keyId = "key_" + RandomIds.hex(8);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < LIMIT * 2; i++) {
                String id = JobIds.newJobId();
                store.submit(id, keyId, 256L << 20, JobSpec.of("true", 30), keys.jobsStream(), LIMIT);
                ids.add(id);
            }
            assertThat(backlog(keyId)).isEqualTo(LIMIT);

            endTogether(ids.subList(0, LIMIT));

            assertThat(backlog(keyId)).as("backlog in round %d", round).isZero();
            assertThat(running(keyId)).as("run slots in round %d", round)
                    .containsExactlyInAnyOrderElementsOf(ids.subList(LIMIT, LIMIT * 2));
        }
    }

    private static long backlog(String keyId) {
        return redis.call(j -> j.llen(keys.keyBacklog(keyId)));
    }

    private static Set<String> running(String keyId) {
        return redis.call(j -> j.smembers(keys.keyRunning(keyId)));
    }

    /** Starts the jobs, then completes them all at once from as many threads. */
    private static void endTogether(List<String> ids) throws Exception {
        List<Job> started = new ArrayList<>();
        List<Integer> tokens = new ArrayList<>();
        for (String id : ids) {
            RedisJobStore.Start s = store.start(id, "node-test");
            assertThat(s.running()).isTrue();
            started.add(store.find(id).orElseThrow());
            tokens.add(s.token());
        }
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> done = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < started.size(); i++) {
                Job job = started.get(i);
                int token = tokens.get(i);
                done.add(threads.submit(() -> {
                    go.await();
                    return store.complete(job, null, token, JobState.SUCCEEDED, OK, null);
                }));
            }
            go.countDown();
            for (Future<Boolean> f : done) {
                assertThat(f.get()).isTrue();
            }
        }
    }
}
