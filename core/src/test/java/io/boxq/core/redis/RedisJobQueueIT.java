package io.boxq.core.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.core.id.RandomIds;
import io.boxq.core.job.CommandResult;
import io.boxq.core.job.Job;
import io.boxq.core.job.JobIds;
import io.boxq.core.job.JobSpec;
import io.boxq.core.job.JobState;
import io.boxq.core.redis.RedisJobQueue.Entry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.resps.StreamPendingEntry;

/**
 * The executors' side of the job stream against a real Redis ({@code REDIS_URL}), under a prefix
 * of its own: two consumers ("nodes") play out a takeover by hand, as the stalled-job reclaim
 * does it. docs/architecture.md, "A job's way": a lease renewal never takes back an entry another node reclaimed, and the
 * completion stores a result only under the current fencing token; §6: the reclaim's
 * {@code XAUTOCLAIM} goes on from a saved cursor.
 */
class RedisJobQueueIT {
    private static final String PREFIX = "test-it-jobqueue-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private static final Duration TTL = Duration.ofMinutes(5);

    private static Redis redis;
    private static RedisJobStore store;
    private static RedisJobQueue queue;

    @BeforeAll
    static void connect() {
        redis = TestRedis.connect(PREFIX);
        store = new RedisJobStore(redis, TTL, Clock.systemUTC());
        queue = new RedisJobQueue(redis);
    }

    @AfterAll
    static void deleteKeys() {
        TestRedis.deleteAllAndClose(redis, PREFIX);
    }

    @Test
    void a_renewal_never_takes_back_a_reclaimed_entry_and_only_the_newer_attempt_stores_its_result() {
        String stream = freshStream();
        String keyId = "key_" + RandomIds.hex(6);
        String id = submit(keyId, stream, 2);
        Entry entry = queue.read("node-a", List.of(stream), 10, 100, false).getFirst();
        assertThat(entry.jobId()).isEqualTo(id);
        RedisJobStore.Start first = store.start(id, "node-a");
        assertThat(first.token()).isEqualTo(1);
        assertThat(queue.renew(entry, "node-a")).as("node-a renews its own lease").isEqualTo(RedisJobQueue.Lease.HELD);

        // node-a stops renewing; node-b's reclaim takes the entry over, and the job's attempts allow a new run
        assertThat(queue.autoclaim(stream, "node-b", 0, 10)).containsExactly(entry);
        assertThat(queue.reclaim(entry, 5, "executor lost", false, TTL)).isEqualTo(RedisJobQueue.Reclaim.RUN);
        RedisJobStore.Start second = store.start(id, "node-b");
        assertThat(second.token()).isEqualTo(2);

        assertThat(queue.renew(entry, "node-a")).as("node-a's renewal after the takeover").isEqualTo(RedisJobQueue.Lease.LOST);
        assertThat(owner(stream, entry)).as("the entry stays with node-b").isEqualTo("node-b");
        assertThat(queue.renew(entry, "node-b")).isEqualTo(RedisJobQueue.Lease.HELD);

        Job job = store.find(id).orElseThrow();
        assertThat(store.complete(job, entry.entryId(), first.token(), JobState.SUCCEEDED, exit(0), null))
                .as("node-a's result under the old fencing token").isFalse();
        Job meanwhile = store.find(id).orElseThrow();
        assertThat(meanwhile.state()).isEqualTo(JobState.RUNNING);
        assertThat(meanwhile.attempt()).isEqualTo(2);
        assertThat(meanwhile.node()).isEqualTo("node-b");
        assertThat(owner(stream, entry)).as("the refused completion acknowledged nothing").isEqualTo("node-b");
        assertThat(holdsRunSlot(keyId, id)).as("run slot held").isTrue();

        assertThat(store.complete(job, entry.entryId(), second.token(), JobState.FAILED, exit(3), null))
                .as("node-b's result under the current token").isTrue();
        Job ended = store.find(id).orElseThrow();
        assertThat(ended.state()).isEqualTo(JobState.FAILED);
        assertThat(ended.result().exitCode()).isEqualTo(3);
        assertThat(ended.node()).isEqualTo("node-b");
        assertThat(pendingCount(stream)).as("pending entries").isZero();
        assertThat(length(stream)).as("entries left in the stream").isZero();
        assertThat(holdsRunSlot(keyId, id)).as("run slot held").isFalse();
    }

    @Test
    void the_reclaim_goes_on_from_its_saved_cursor_and_starts_again_after_the_last_entry() {
        String stream = freshStream();
        String keyId = "key_" + RandomIds.hex(6);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit(keyId, stream, 1));
        }
        List<Entry> read = queue.read("node-a", List.of(stream), 10, 100, false);
        assertThat(read).extracting(Entry::jobId).containsExactlyElementsOf(ids);
        
        List<Entry> firstPass = queue.autoclaim(stream, "node-b", 0, 2);
        assertThat(firstPass).containsExactly(read.get(0), read.get(1));
        assertThat(savedCursor(stream)).as("cursor saved after the first call")
                .isEqualTo(read.get(2).entryId());

        List<Entry> secondPass = queue.autoclaim(stream, "node-b", 0, 2);
        assertThat(secondPass).as("goes on where the first stopped").containsExactly(read.get(2), read.get(3));
        assertThat(savedCursor(stream)).isEqualTo(read.get(4).entryId());

        assertThat(queue.autoclaim(stream, "node-b", 0, 2)).containsExactly(read.get(4));
        assertThat(savedCursor(stream)).as("the scan reached the end").isEqualTo("0-0");

        assertThat(queue.autoclaim(stream, "node-c", 0, 2)).as("and starts again from the beginning")
                .containsExactly(read.get(0), read.get(1));
        assertThat(owner(stream, read.get(0))).isEqualTo("node-c");
        assertThat(owner(stream, read.get(4))).isEqualTo("node-b");
    }

    /** A stream of its own per test (the prefix is the class's), with the group made. */
    private static String freshStream() {
        String stream = redis.keys().nodeStream("it-" + RandomIds.hex(6));
        queue.ensureGroup(stream);
        return stream;
    }

    private static String submit(String keyId, String stream, int maxAttempts) {
        String id = JobIds.newJobId();
        JobSpec spec = new JobSpec("true", null, null, Map.of(), null, null, 5, null, Map.of(), maxAttempts, null);
        store.submit(id, keyId, 1 << 20, spec, stream, 100);
        return id;
    }

    private static String owner(String stream, Entry entry) {
        List<StreamPendingEntry> p = redis.call(j -> j.xpending(stream, RedisKeys.GROUP,
                XPendingParams.xPendingParams(entry.entryId(), entry.entryId(), 1)));
        assertThat(p).as("entry %s is pending", entry.entryId()).hasSize(1);
        return p.getFirst().getConsumerName();
    }

    private static boolean holdsRunSlot(String keyId, String id) {
        return redis.call(j -> j.sismember(redis.keys().keyRunning(keyId), id));
    }

    private static long pendingCount(String stream) {
        return redis.call(j -> j.xpending(stream, RedisKeys.GROUP)).getTotal();
    }

    private static long length(String stream) {
        return redis.call(j -> j.xlen(stream));
    }

    private static String savedCursor(String stream) {
        return redis.call(j -> j.get(redis.keys().reclaimCursor(stream)));
    }

    private static CommandResult exit(int code) {
        return new CommandResult(code, new byte[0], new byte[0], false, false, false);
    }
}
