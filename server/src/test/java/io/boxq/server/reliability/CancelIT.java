package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
import io.boxq.core.redis.RedisJobStore;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/jobs/{id}/cancel}: a queued job ends at once and its key's backlog moves on; a
 * running job has every process it started killed and keeps the output it wrote; an ended job
 * answers 409, and another key's job 404. The node has a single container, so the job after a
 * cancel runs in the very container the cancelled job ran in.
 */
class CancelIT {
    // One container: a key's next job must wait for it (reset after a cancel) rather than take a fresh one.
    // Leases renewed every second: the renewal is where a node finds a cancel whose message it missed.
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("cancel",
            Map.of("POOL_SIZE", "1", "MIN_POOL_SIZE", "1", "MAX_POOL_SIZE", "1", "LEASE_TIMEOUT_SECONDS", "6"));
    private static BoxqTestServer server;
    private static BoxqClient http;

    @Test
    void a_queued_job_is_cancelled_at_once_and_the_backlog_moves_on() {
        String key = keyWithOneSlot();
        String blocker = submit(key, "sleep 100", 300);
        String waiting = submit(key, "echo never", 30);
        String next = submit(key, "echo next", 30);
        awaitState(key, blocker, "running");
        assertThat(state(key, waiting)).isEqualTo("queued");

        JsonNode cancelled = cancel(key, waiting);

        assertThat(cancelled.path("state").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("attempt").asInt()).as("it never started").isZero();
        assertThat(cancel(key, blocker).path("state").asText()).isEqualTo("cancelled");
        JsonNode ran = http.awaitEnd(key, next);
        assertThat(ran.path("state").asText()).as("the backlog moved past the cancelled job").isEqualTo("succeeded");
        assertThat(ran.path("stdout").asText()).isEqualTo("next\n");
        assertThat(http.get("/v1/jobs/" + waiting, key).json().path("state").asText()).isEqualTo("cancelled");
        assertThat(http.get("/v1/quota/usage", key).json().path("usage").path("running_jobs").asInt()).isZero();
    }

    @Test
    void a_running_job_loses_every_process_and_keeps_its_output() {
        String key = keyWithOneSlot();
        String job = submit(key, "echo started; hostname; sleep 100 & sleep 100", 300);
        awaitState(key, job, "running");
        await("both sleeps run").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> ContainerProcesses.count(server.workerId(), "sleep 100") >= 2);

        JsonNode cancelled = cancel(key, job);

        assertThat(cancelled.path("state").asText()).isEqualTo("cancelled");
        String[] output = cancelled.path("stdout").asText().split("\n");
        assertThat(output[0]).as("the output so far").isEqualTo("started");
        JsonNode after = http.run(key, "hostname; ps -o args");
        assertThat(after.path("stdout").asText().lines().findFirst()).as("the key's container is reused")
                .hasValue(output[1]);
        assertThat(after.path("stdout").asText()).as("no process of the cancelled job is left")
                .doesNotContain("sleep 100");
    }

    /**
     * A cancel marked in Redis whose control-channel message never reached the node (here: none was
     * sent at all) is found by the node's next lease renewal, and the job is killed all the same.
     */
    @Test
    void a_running_job_is_killed_even_when_the_cancel_message_is_missed() {
        BoxqClient.Reply k = http.post("/v1/keys", server.adminKey(),
                Map.of("user", TestEnvironment.unique("cancel"), "tier", "free", "concurrent_jobs", 1));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();
        String job = submit(key, "echo started; sleep 101", 300);
        awaitState(key, job, "running");
        await("the command runs").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> ContainerProcesses.count(server.workerId(), "sleep 101") >= 1);

        try (Redis redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 2)) {
            RedisJobStore.Cancel marked = new RedisJobStore(redis, Duration.ofHours(1), Clock.systemUTC())
                    .cancel(job, k.json().path("id").asText(), 1); // marks it; publishes nothing
            assertThat(marked).isEqualTo(RedisJobStore.Cancel.RUNNING);
        }

        JsonNode ended = http.awaitEnd(key, job);
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("cancelled");
        assertThat(ended.path("stdout").asText()).isEqualTo("started\n");
        assertThat(ended.path("duration_ms").asLong()).as("killed, not left to sleep its 101 s out")
                .isLessThan(Duration.ofSeconds(90).toMillis());
    }

    @Test
    void an_ended_job_cannot_be_cancelled() {
        String key = keyWithOneSlot();
        String job = http.run(key, "echo done").path("id").asText();

        BoxqClient.Reply r = http.post("/v1/jobs/" + job + "/cancel", key, "");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(r.json().path("detail").asText()).contains("succeeded");
        assertThat(state(key, job)).isEqualTo("succeeded");
    }

    @Test
    void another_keys_job_is_not_found_and_keeps_running() {
        String owner = keyWithOneSlot();
        String stranger = keyWithOneSlot();
        String job = submit(owner, "sleep 3; echo mine", 30);

        BoxqClient.Reply r = http.post("/v1/jobs/" + job + "/cancel", stranger, "");
        BoxqClient.Reply unknown = http.post("/v1/jobs/job_000000000000000000000000/cancel", owner, "");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).isEqualTo("application/problem+json");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(http.awaitEnd(owner, job).path("state").asText()).isEqualTo("succeeded");
    }

    private static String keyWithOneSlot() {
        BoxqClient.Reply r = http.post("/v1/keys", server.adminKey(),
                Map.of("user", TestEnvironment.unique("cancel"), "tier", "free", "concurrent_jobs", 1));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("key").asText();
    }

    private static String submit(String key, String command, int timeout) {
        return http.submit(key, Map.of("command", command, "timeout_s", timeout)).path("id").asText();
    }

    private static JsonNode cancel(String key, String job) {
        BoxqClient.Reply r = http.post("/v1/jobs/" + job + "/cancel", key, "");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private static String state(String key, String job) {
        return http.get("/v1/jobs/" + job, key).json().path("state").asText();
    }

    private static void awaitState(String key, String job, String state) {
        await(job + " " + state).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> state(key, job).equals(state));
    }
}
