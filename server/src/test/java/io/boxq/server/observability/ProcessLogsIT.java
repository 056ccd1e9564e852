package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqProcess;
import io.boxq.server.TestEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The built jar as separate api and executor processes with {@code LOG_FORMAT=json}: every line is
 * one JSON object, job events carry job, key id and node (never the key), and each process serves
 * {@code /metrics} for the role it runs.
 */
class ProcessLogsIT {
    private final String prefix = "test-" + TestEnvironment.unique("logs") + ":";
    private final String executorId = TestEnvironment.unique("it-logs-node");
    private final List<BoxqProcess> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        processes.forEach(BoxqProcess::close);
        TestEnvironment.removeContainersOf(executorId);
        TestEnvironment.deleteRedisKeys(prefix);
    }

    @Test
    void split_processes_log_one_json_object_per_line_with_the_jobs_context_and_serve_their_metrics() throws Exception {
        Map<String, String> env = env();
        BoxqProcess executor = launch("logs-executor", env, "executor", executorId);
        BoxqProcess api = launch("logs-api", env, "api", TestEnvironment.unique("it-logs-api"));
        executor.awaitUp();
        api.awaitUp();

        JsonNode created = api.client.createKey(env.get("BOXQ_ADMIN_KEY"), TestEnvironment.unique("user"), "free");
        String key = created.path("key").asText();
        String keyId = created.path("id").asText();
        JsonNode job = api.client.run(key, "echo logged");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
        String jobId = job.path("id").asText();

        Scrape apiMetrics = Scrape.of(api.client);
        Scrape nodeMetrics = Scrape.of(executor.client);
        assertThat(apiMetrics.value("boxq_jobs_submitted_total", "tier", "free")).isEqualTo(1);
        assertThat(nodeMetrics.value("boxq_jobs_finished_total", "state", "succeeded")).isEqualTo(1);
        assertThat(nodeMetrics.value("boxq_pool_containers", "node", executorId, "kind", "max")).isEqualTo(3);
        assertThat(nodeMetrics.hasAny("jvm_memory_used_bytes")).isTrue();
        assertThat(apiMetrics.has("boxq_pool_containers", "node", executorId, "kind", "max"))
                .as("an api-only process has no pool").isFalse();
        assertThat(executor.stop(Duration.ofSeconds(60))).as("the executor stops on SIGTERM").isTrue();
        assertThat(api.stop(Duration.ofSeconds(60))).as("the api stops on SIGTERM").isTrue();

        List<JsonNode> nodeLog = jsonLines(executor);
        List<JsonNode> apiLog = jsonLines(api);
        JsonNode started = find(nodeLog, "job " + jobId + " started");
        assertThat(started.path("mdc").path("job").asText()).isEqualTo(jobId);
        assertThat(started.path("mdc").path("key").asText()).isEqualTo(keyId);
        assertThat(started.path("mdc").path("node").asText()).isEqualTo(executorId);
        assertThat(find(nodeLog, "job " + jobId + " succeeded").path("formattedMessage").asText())
                .contains(keyId, executorId);
        assertThat(find(nodeLog, "container ").path("formattedMessage").asText()).contains("started on " + executorId);
        assertThat(find(apiLog, "job " + jobId + " queued").path("formattedMessage").asText()).contains(keyId);
        assertThat(executor.lines()).noneMatch(line -> line.contains(key));
        assertThat(api.lines()).noneMatch(line -> line.contains(key));
    }

    @Test
    void a_missing_image_stops_an_executor_process_with_a_message_naming_the_build_script() throws Exception {
        Map<String, String> env = env();
        String missing = "boxq-sandbox:" + TestEnvironment.unique("missing");
        env.put("SANDBOX_IMAGE", missing);
        env.put("LOG_FORMAT", "text");

        BoxqProcess executor = launch("logs-missing-image", env, "executor", executorId);

        assertThat(executor.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(String.join("\n", executor.lines())).contains("boxq could not start", missing,
                "scripts/build-sandbox-image.sh");
        assertThat(TestEnvironment.containersOf(executorId)).isEmpty();
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("REDIS_URL", TestEnvironment.redisUrl());
        env.put("DOCKER_HOST", TestEnvironment.dockerHost());
        env.put("BOXQ_REDIS_PREFIX", prefix);
        env.put("BOXQ_ADMIN_KEY", "bq_admin_" + TestEnvironment.unique("logs").replace("-", ""));
        env.put("SANDBOX_IMAGE", TestEnvironment.BUSYBOX);
        env.put("POOL_SIZE", "1");
        env.put("MIN_POOL_SIZE", "1");
        env.put("MAX_POOL_SIZE", "3");
        env.put("RUNNER", TestEnvironment.RUNNER);
        env.put("LOG_FORMAT", "json");
        env.put("DEBUG", "true"); // a job's queued, started and ended lines are DEBUG
        return env;
    }

    private BoxqProcess launch(String name, Map<String, String> env, String role, String workerId) {
        BoxqProcess p = BoxqProcess.launch(name, env, role, workerId);
        processes.add(p);
        return p;
    }

    /** Every line of the process's output, each of which must be one JSON object. */
    private static List<JsonNode> jsonLines(BoxqProcess p) throws Exception {
        List<JsonNode> parsed = new ArrayList<>();
        for (String line : p.lines()) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node = Json.mapper().readTree(line);
            assertThat(node.isObject()).as("not one JSON object: %s", line).isTrue();
            assertThat(node.has("level") && node.has("formattedMessage")).as(line).isTrue();
            parsed.add(node);
        }
        assertThat(parsed).isNotEmpty();
        return parsed;
    }

    private static JsonNode find(List<JsonNode> log, String messageStart) {
        return log.stream().filter(n -> n.path("formattedMessage").asText().startsWith(messageStart)).findFirst()
                .orElseThrow(() -> new AssertionError("no log line starting with '" + messageStart + "'"));
    }
}
