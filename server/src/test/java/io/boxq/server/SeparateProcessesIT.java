package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The api and an executor as two processes of the built jar (BOXQ_ROLES=api / executor), sharing
 * nothing but Redis: a job submitted to the api runs on the executor; on SIGTERM the executor
 * removes its containers.
 */
class SeparateProcessesIT {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static Map<String, String> env;
    private static BoxqProcess api;
    private static BoxqProcess executor;

    @BeforeAll
    static void startProcesses() {
        env = TestEnvironment.serverEnv("procs");
        executor = BoxqProcess.launch("SeparateProcessesIT-executor", env, "executor",
                TestEnvironment.unique("it-procs-exec"));
        api = BoxqProcess.launch("SeparateProcessesIT-api", env, "api", TestEnvironment.unique("it-procs-api"));
    }

    @AfterAll
    static void cleanUp() {
        for (BoxqProcess p : new BoxqProcess[] {api, executor}) {
            if (p != null) {
                p.close();
                TestEnvironment.removeContainersOf(p.workerId);
            }
        }
        TestEnvironment.deleteRedisKeys(env.get("BOXQ_REDIS_PREFIX"));
    }

    @Test
    void a_job_submitted_to_the_api_process_runs_on_the_executor_process() throws InterruptedException {
        JsonNode executorHealth = awaitHealthy(executor);
        assertThat(executorHealth.path("worker_id").asText()).isEqualTo(executor.workerId);
        assertThat(executorHealth.path("pool").path("max_capacity").asInt()).isEqualTo(6);
        awaitHealthy(api);
        await("the api sees the executor's heartbeat").atMost(START_TIMEOUT)
                .until(() -> nodeIds(api.client.get("/health", null).json()).contains(executor.workerId));
        assertThat(executor.client.get("/v1/jobs", env.get("BOXQ_ADMIN_KEY")).status())
                .as("an executor-only process serves nothing but /health").isEqualTo(404);

        String key = api.client.createKey(env.get("BOXQ_ADMIN_KEY"), "procs", "free").path("key").asText();
        JsonNode job = api.client.run(key, "echo from $(hostname)");

        assertThat(job.path("state").asText()).isEqualTo("succeeded");
        assertThat(job.path("node").asText()).isEqualTo(executor.workerId);
        String container = job.path("stdout").asText().trim().substring("from ".length());
        assertThat(TestEnvironment.containersOf(executor.workerId)).extracting(c -> c.getId().substring(0, 12))
                .contains(container);
        assertThat(TestEnvironment.containersOf(api.workerId)).as("the api never talks to Docker").isEmpty();

        assertThat(executor.stop(Duration.ofSeconds(60))).as("executor stops within 60 s of SIGTERM").isTrue();
        assertThat(TestEnvironment.containersOf(executor.workerId)).as("containers left after SIGTERM").isEmpty();
        assertThat(api.stop(Duration.ofSeconds(60))).as("api stops within 60 s of SIGTERM").isTrue();
    }

    /** Waits until the process's /health says "healthy" (its node is up, for the api: it sees one). */
    private static JsonNode awaitHealthy(BoxqProcess p) {
        p.awaitUp();
        return await(p.name + " healthy").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> p.client.get("/health", null), r -> "healthy".equals(r.json().path("status").asText()))
                .json();
    }

    private static List<String> nodeIds(JsonNode health) {
        List<String> ids = new ArrayList<>();
        health.path("nodes").forEach(n -> ids.add(n.path("worker_id").asText()));
        return ids;
    }
}
