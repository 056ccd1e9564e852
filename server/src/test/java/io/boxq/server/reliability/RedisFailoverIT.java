package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.RedisKeys;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqProcess;
import io.boxq.server.TestEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * A failover under load (docs/reliability.md): a primary, a replica and three Sentinels of the
 * test's own ({@link SentinelLayout}), boxq following them natively. 16 clients submit echo jobs
 * continuously. The replica falls behind (cut off from the primary, as a lagging replica is) for
 * the last 16 answers, then the primary gets SIGKILL; once the Sentinels have named the replica,
 * the old primary comes back as its replica (a supervisor's restart). boxq is never restarted.
 * With WAIT 1 no job answered 202 is lost; with WAIT 0 those answered while the replica was
 * behind are, which shows the test can see a loss.
 */
class RedisFailoverIT {
    private static final int CLIENTS = 16;
    private static final Duration RECOVER_WITHIN = Duration.ofSeconds(30);

    private SentinelLayout layout;
    private BoxqProcess boxq;
    private Map<String, String> env;

    @AfterEach
    void stop() {
        try {
            if (boxq != null) {
                boxq.close();
                TestEnvironment.removeContainersOf(boxq.workerId);
            }
        } finally {
            if (layout != null) {
                layout.close();
            }
        }
    }

    @Test
    void with_wait_1_every_job_answered_202_survives_the_failover_and_runs_once() throws Exception {
        Run run = failOverUnderLoad(1);

        assertThat(run.lost).as("jobs answered 202 that the new primary does not know").isEmpty();
        assertThat(run.notSucceeded).as("echo jobs that did not succeed once").isEmpty();
        try (Jedis j = layout.connect(layout.currentPrimary())) {
            Map<String, String> moves = j.hgetAll(new RedisKeys(env.get("BOXQ_REDIS_PREFIX")).jobStates());
            assertThat(moves.get("submitted")).as("each job stored once").isEqualTo(Integer.toString(run.accepted));
            assertThat(moves.get("ended:succeeded")).as("each end stored once").isEqualTo(Integer.toString(run.accepted));
        }
    }

    /** The default: the figure this prints is the one docs/reliability.md gives for WAIT 0. */
    @Test
    void with_wait_0_the_jobs_lost_in_a_failover_are_counted() throws Exception {
        Run run = failOverUnderLoad(0);

        assertThat(run.lost).as("jobs answered 202 while the replica was behind, gone after the failover")
                .isNotEmpty();
        // Without WAIT a start or an end the new primary never saw is run again or ended by the
        // reclaim: counted and printed, not asserted (docs/reliability.md).
        System.out.printf("RedisFailoverIT WAIT 0: %d of the jobs it kept did not succeed at attempt 1%n",
                run.notSucceeded.size());
    }

    /** What one failover under load did; {@code lost} are jobs answered 202 that are gone. */
    private record Run(int accepted, List<String> lost, List<String> notSucceeded) {}

    private Run failOverUnderLoad(int waitReplicas) throws Exception {
        layout = SentinelLayout.start();
        env = new HashMap<>(TestEnvironment.serverEnv("failover"));
        env.remove("REDIS_URL");
        env.putAll(Map.of("REDIS_SENTINELS", layout.sentinelsSetting(), "REDIS_MASTER_NAME", SentinelLayout.MASTER,
                "REDIS_WAIT_REPLICAS", Integer.toString(waitReplicas), "REDIS_WAIT_TIMEOUT_MS", "500",
                // above the failover measured here (docs/reliability.md): no lease runs out meanwhile
                "LEASE_TIMEOUT_SECONDS", "20", "RECLAIM_INTERVAL_SECONDS", "2", "HEARTBEAT_INTERVAL_SECONDS", "1",
                "NODE_TTL_SECONDS", "60", "MAX_POOL_SIZE", "8", "BOXQ_ROLES", "api,executor"));
        boxq = BoxqProcess.launch("RedisFailoverIT-wait" + waitReplicas, env);
        boxq.awaitUp();
        BoxqClient http = boxq.client;
        BoxqClient.Reply k = http.post("/v1/keys", env.get("BOXQ_ADMIN_KEY"), Map.of("user",
                TestEnvironment.unique("failover"), "tier", "free", "concurrent_jobs", 64, "requests_per_minute",
                1_000_000));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();

        int primary = layout.primaryPort();
        long killedAt;
        long recoveredAt;
        try (SubmitLoad load = new SubmitLoad(http, key, CLIENTS, 4)) {
            load.awaitAcceptedSince(0, 60, Duration.ofSeconds(60));
            // The replica falls behind for the last moments before the primary dies: what was
            // answered then without WAIT is gone after the failover.
            layout.detachReplica();
            int before = load.answers.get();
            await("submits answered while the replica is behind").atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20)).until(() -> load.answers.get() >= before + 16);
            killedAt = System.nanoTime();
            layout.kill(primary);
            await("the Sentinels name the replica").atMost(RECOVER_WITHIN).pollInterval(Duration.ofMillis(100))
                    .until(() -> layout.currentPrimary() != primary);
            layout.restart(primary);
            // Served again: 202s keep coming, and no 503 for a second.
            await("boxq serves again").atMost(RECOVER_WITHIN.multipliedBy(2)).pollInterval(Duration.ofMillis(100))
                    .until(() -> load.lastUnavailableAt() > killedAt
                            && System.nanoTime() - load.lastUnavailableAt() > 1_000_000_000L);
            recoveredAt = load.lastUnavailableAt();
            load.awaitAcceptedSince(recoveredAt, 60, Duration.ofSeconds(60));
            load.finish();

            assertThat(load.unexpected).as("answers other than 202 or 503").isEmpty();
            assertThat(load.hung).as("requests with no answer within " + SubmitLoad.ANSWER_WITHIN).hasValue(0);
            assertThat(load.unavailableWithoutRetryAfter).as("503s without Retry-After").hasValue(0);
            assertThat(Duration.ofNanos(recoveredAt - killedAt)).as("the last 503 after the kill")
                    .isLessThan(RECOVER_WITHIN);
            assertThat(boxq.alive()).isTrue();

            List<String> lost = new ArrayList<>();
            List<String> notSucceeded = new ArrayList<>();
            for (SubmitLoad.Accepted a : load.accepted) {
                JsonNode job = load.awaitEnd(a.id());
                if (job == null) {
                    lost.add(a.id());
                } else if (!"succeeded".equals(job.path("state").asText()) || !a.stdout().equals(job.path("stdout").asText())
                        || job.path("attempt").asInt() != 1) {
                    notSucceeded.add(job.toString());
                }
            }
            System.out.printf("RedisFailoverIT WAIT %d: %d jobs accepted, the last 503 came %.1f s after the kill, "
                    + "%d answers 503 (with Retry-After), %d accepted jobs lost%n", waitReplicas, load.accepted.size(),
                    (recoveredAt - killedAt) / 1e9, load.unavailable.get(), lost.size());
            return new Run(load.accepted.size(), lost, notSucceeded);
        }
    }
}
