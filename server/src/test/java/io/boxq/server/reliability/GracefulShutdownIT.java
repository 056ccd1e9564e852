package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqProcess;
import io.boxq.server.TestEnvironment;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM to an executor in the middle of three jobs, with {@code SHUTDOWN_GRACE_SECONDS=3}: the
 * node takes no new work, the job that ends within the grace ends normally, and when the grace runs
 * out it hands back what still runs: a job with an attempt left runs again on another node, one
 * without ends {@code error} saying the node stopped. The node exits soon after the grace and
 * leaves no container behind.
 *
 * <p>The first executor's containers have a nofile limit of 1024, the second's 2048, so the long
 * commands sleep only on the first: {@code [ "$(ulimit -n)" = 1024 ] && sleep 300}.
 */
class GracefulShutdownIT {
    private static final String FIRST_NODE_ONLY_SLEEP = "[ \"$(ulimit -n)\" = 1024 ] && sleep 300; ";

    private final Map<String, String> env = new HashMap<>(TestEnvironment.serverEnv("sigterm"));
    private BoxqProcess api;
    private BoxqProcess first;
    private BoxqProcess second;

    @AfterEach
    void cleanUp() {
        for (BoxqProcess p : new BoxqProcess[] {first, second, api}) {
            if (p != null) {
                p.close();
                TestEnvironment.removeContainersOf(p.workerId);
            }
        }
        TestEnvironment.deleteRedisKeys(env.get("BOXQ_REDIS_PREFIX"));
    }

    @Test
    void sigterm_lets_a_job_finish_within_the_grace_and_hands_back_the_rest() throws InterruptedException {
        env.putAll(Map.of("SHUTDOWN_GRACE_SECONDS", "3", "LEASE_TIMEOUT_SECONDS", "3", "RECLAIM_INTERVAL_SECONDS", "1",
                "HEARTBEAT_INTERVAL_SECONDS", "1", "NODE_TTL_SECONDS", "4", "POOL_SIZE", "3", "MIN_POOL_SIZE", "3"));
        api = BoxqProcess.launch("GracefulShutdownIT-api", env, "api", TestEnvironment.unique("it-sigterm-api"));
        first = BoxqProcess.launch("GracefulShutdownIT-first", with("NOFILE_LIMIT", "1024"), "executor",
                TestEnvironment.unique("it-sigterm-first"));
        api.awaitUp();
        first.awaitUp();
        BoxqClient http = api.client;
        BoxqClient.Reply k = http.post("/v1/keys", env.get("BOXQ_ADMIN_KEY"), Map.of("user",
                TestEnvironment.unique("sigterm"), "tier", "free", "concurrent_jobs", 4));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();
        String quick = http.submit(key, Map.of("command", "sleep 2; echo finished")).path("id").asText();
        String twice = http.submit(key, Map.of("command", FIRST_NODE_ONLY_SLEEP + "echo twice", "max_attempts", 2))
                .path("id").asText();
        String once = http.submit(key, Map.of("command", FIRST_NODE_ONLY_SLEEP + "echo once", "max_attempts", 1))
                .path("id").asText();
        await("all three run on the first node").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> ContainerProcesses.count(first.workerId, "sleep 300") >= 2
                        && ContainerProcesses.count(first.workerId, "sleep 2") >= 1);

        assertThat(first.stop(Duration.ofSeconds(30))).as("the node exited within grace + settling").isTrue();

        assertThat(TestEnvironment.containersOf(first.workerId)).as("containers of the stopped node").isEmpty();
        JsonNode finished = http.awaitEnd(key, quick);
        assertThat(finished.path("state").asText()).as(finished.toString()).isEqualTo("succeeded");
        assertThat(finished.path("stdout").asText()).isEqualTo("finished\n");
        JsonNode ended = http.awaitEnd(key, once);
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("error");
        assertThat(ended.path("error").asText()).contains("node stopped");
        assertThat(http.get("/v1/jobs/" + twice, key).json().path("state").asText())
                .as("handed back, waiting for a node").isEqualTo("queued");

        second = BoxqProcess.launch("GracefulShutdownIT-second", with("NOFILE_LIMIT", "2048"), "executor",
                TestEnvironment.unique("it-sigterm-second"));
        second.awaitUp();
        JsonNode rerun = http.awaitEnd(key, twice);
        assertThat(rerun.path("state").asText()).as(rerun.toString()).isEqualTo("succeeded");
        assertThat(rerun.path("stdout").asText()).isEqualTo("twice\n");
        assertThat(rerun.path("attempt").asInt()).isEqualTo(2);
        assertThat(rerun.path("node").asText()).isEqualTo(second.workerId);
    }

    /**
     * A grace longer than the heartbeat's TTL and the lease: the stopping node keeps beating and
     * renewing until its last job settled, so the other node neither takes it for dead (which would
     * end its sandbox's job {@code error}, "executor lost") nor reclaims its work.
     */
    @Test
    void a_node_finishing_its_jobs_in_a_long_grace_is_not_taken_for_dead() throws InterruptedException {
        env.putAll(Map.of("SHUTDOWN_GRACE_SECONDS", "30", "LEASE_TIMEOUT_SECONDS", "2", "RECLAIM_INTERVAL_SECONDS", "1",
                "HEARTBEAT_INTERVAL_SECONDS", "1", "NODE_TTL_SECONDS", "2", "CLEANUP_INTERVAL_SECONDS", "1",
                "POOL_SIZE", "2", "MIN_POOL_SIZE", "1"));
        api = BoxqProcess.launch("GracefulShutdownIT-api", env, "api", TestEnvironment.unique("it-grace-api"));
        first = BoxqProcess.launch("GracefulShutdownIT-first", env, "executor", TestEnvironment.unique("it-grace-first"));
        api.awaitUp();
        first.awaitUp();
        BoxqClient http = api.client;
        BoxqClient.Reply k = http.post("/v1/keys", env.get("BOXQ_ADMIN_KEY"), Map.of("user",
                TestEnvironment.unique("grace"), "tier", "free"));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();
        BoxqClient.Reply sandbox = http.post("/v1/sandboxes", key, Map.of());
        assertThat(sandbox.status()).as(sandbox.body()).isEqualTo(201);
        // made while the first node is the only one: it holds the sandbox
        second = BoxqProcess.launch("GracefulShutdownIT-second", env, "executor",
                TestEnvironment.unique("it-grace-second"));
        second.awaitUp();
        String job = http.submit(key, Map.of("command", "sleep 8; echo done", "sandbox_id",
                sandbox.json().path("id").asText())).path("id").asText();
        await("the job runs on the first node").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ContainerProcesses.count(first.workerId, "sleep 8") >= 1);

        assertThat(first.stop(Duration.ofSeconds(60))).as("the node exited within grace + settling").isTrue();

        JsonNode ended = http.awaitEnd(key, job);
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("succeeded");
        assertThat(ended.path("stdout").asText()).isEqualTo("done\n");
        assertThat(ended.path("node").asText()).isEqualTo(first.workerId);
        assertThat(TestEnvironment.containersOf(first.workerId)).as("containers of the stopped node").isEmpty();
    }

    private Map<String, String> with(String name, String value) {
        Map<String, String> e = new HashMap<>(env);
        e.put(name, value);
        return e;
    }
}
