package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisKeys;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqProcess;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.observability.Scrape;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.params.XPendingParams;
import redis.clients.jedis.resps.StreamEntry;
import redis.clients.jedis.resps.StreamPendingEntry;

/**
 * A stream entry delivered more than {@code MAX_DELIVERIES} times goes to the dead-letter stream and
 * its job ends {@code error} with the reason, even when its {@code max_attempts} would allow more
 * runs. The redeliveries are real: two executor processes share one Redis; the one that runs the
 * job is killed with SIGKILL, the other's stalled-job reclaim takes the entry over (delivery 2, within
 * {@code MAX_DELIVERIES=2}: it runs again), and is killed in turn; the Quartz reclaim of a third
 * node (in-process, whose api then answers) takes delivery 3 and dead-letters it. Nothing is left
 * pending, and the run slot is free.
 *
 * <p>The command sleeps only in containers with a nofile limit of 1024 (the two doomed nodes'); the
 * third node's are 2048, so a run there would succeed at once.
 */
class DeadLetterIT {
    private static final String DOOMED_NODES_SLEEP = "[ \"$(ulimit -n)\" = 1024 ] && sleep 300; ";

    private final Map<String, String> env = TestEnvironment.serverEnv("deadletter");
    private BoxqProcess first;
    private BoxqProcess second;
    private BoxqTestServer third;

    @AfterEach
    void cleanUp() {
        for (BoxqProcess p : new BoxqProcess[] {first, second}) {
            if (p != null) {
                p.close();
                TestEnvironment.removeContainersOf(p.workerId);
            }
        }
        if (third != null) {
            third.stop();
        }
        TestEnvironment.deleteRedisKeys(env.get("BOXQ_REDIS_PREFIX"));
    }

    @Test
    void an_entry_delivered_more_than_max_deliveries_times_is_dead_lettered_and_its_job_ends_error()
            throws InterruptedException {
        env.putAll(Map.of("MAX_DELIVERIES", "2", "LEASE_TIMEOUT_SECONDS", "3", "RECLAIM_INTERVAL_SECONDS", "1",
                "HEARTBEAT_INTERVAL_SECONDS", "1", "NODE_TTL_SECONDS", "4", "NOFILE_LIMIT", "1024"));
        String prefix = env.get("BOXQ_REDIS_PREFIX");
        first = BoxqProcess.launch("DeadLetterIT-first", env, "api,executor", TestEnvironment.unique("it-dl-first"));
        second = BoxqProcess.launch("DeadLetterIT-second", env, "executor", TestEnvironment.unique("it-dl-second"));
        first.awaitUp();
        second.awaitUp();
        BoxqClient.Reply k = first.client.post("/v1/keys", env.get("BOXQ_ADMIN_KEY"),
                Map.of("user", TestEnvironment.unique("deadletter"), "tier", "free", "concurrent_jobs", 4));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();
        String id = first.client.submit(key, Map.of("command", DOOMED_NODES_SLEEP + "echo done", "max_attempts", 5))
                .path("id").asText();

        try (Redis redis = new Redis(TestEnvironment.redisUrl(), prefix, 2)) {
            BoxqProcess runsFirst = awaitAttemptRunning(redis, id, 1, List.of(first, second));
            runsFirst.kill();
            TestEnvironment.removeContainersOf(runsFirst.workerId); // its command dies with it, as on a host reboot
            BoxqProcess runsSecond = runsFirst == first ? second : first;
            assertThat(awaitAttemptRunning(redis, id, 2, List.of(runsSecond))).isSameAs(runsSecond);
            assertThat(deliveriesOfTheOnlyEntry(redis)).as("delivered twice: within MAX_DELIVERIES, so it ran again").isEqualTo(2);
            runsSecond.kill();
            TestEnvironment.removeContainersOf(runsSecond.workerId);

            Map<String, String> thirdEnv = new HashMap<>(env);
            thirdEnv.put("NOFILE_LIMIT", "2048");
            third = BoxqTestServer.start("deadletter", thirdEnv).runMaintenance();
            JsonNode ended = third.client.awaitEnd(key, id);

            assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("error");
            assertThat(ended.path("error").asText()).contains("delivered 3 times", "dead-letter stream");
            assertThat(ended.path("attempt").asInt()).as("not run a third time, though max_attempts is 5").isEqualTo(2);
            assertThat(ended.path("node").asText()).isEqualTo(runsSecond.workerId);
            List<StreamEntry> dead = redis.call(j -> j.xrange(redis.keys().deadLetters(), "-", "+"));
            assertThat(dead).as("the dead-letter stream").hasSize(1);
            assertThat(Scrape.of(third.client).value("boxq_stream_depth", "stream", "dead-letters"))
                    .as("the dead-letter stream's depth in the metrics").isEqualTo(1);
            assertThat(dead.getFirst().getFields()).containsExactlyInAnyOrderEntriesOf(
                    Map.of("job", id, "stream", redis.keys().jobsStream()));
            long pending = redis.call(j -> j.xpending(redis.keys().jobsStream(), RedisKeys.GROUP)).getTotal();
            long entries = redis.call(j -> j.xlen(redis.keys().jobsStream()));
            assertThat(pending).as("entries pending in the jobs stream").isZero();
            assertThat(entries).as("entries left in the jobs stream").isZero();
        }
        JsonNode usage = third.client.get("/v1/quota/usage", key).json().path("usage");
        assertThat(usage.path("running_jobs").asInt()).as("run slots held").isZero();
        BoxqTestServer survivor = third;
        third = null;
        survivor.stopAndAssertClean();
    }

    /**
     * Waits until attempt {@code attempt} of the job runs on one of {@code nodes} and its command
     * sleeps in that node's container; returns that node.
     */
    private static BoxqProcess awaitAttemptRunning(Redis redis, String id, int attempt, List<BoxqProcess> nodes) {
        return await("attempt " + attempt + " of " + id + " sleeps on one of the doomed nodes")
                .atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Map<String, String> job = redis.call(j -> j.hgetAll(redis.keys().job(id)));
                    if (!"running".equals(job.get("state")) || !Integer.toString(attempt).equals(job.get("attempt"))) {
                        return null;
                    }
                    return nodes.stream().filter(n -> n.workerId.equals(job.get("node"))
                            && ContainerProcesses.count(n.workerId, "sleep 300") >= 1).findFirst().orElse(null);
                }, n -> n != null);
    }

    /** How often the one entry pending in the jobs stream (the job's) has been delivered (XPENDING). */
    private static long deliveriesOfTheOnlyEntry(Redis redis) {
        List<StreamPendingEntry> pending = redis.call(j -> j.xpending(redis.keys().jobsStream(), RedisKeys.GROUP,
                XPendingParams.xPendingParams("-", "+", 10)));
        assertThat(pending).as("pending entries of the jobs stream").hasSize(1);
        return pending.getFirst().getDeliveredTimes();
    }
}
