package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The api and an executor as two processes of the built jar (BOXQ_ROLES=api / executor), sharing
 * nothing but Redis: a job submitted to the api runs on the executor; on SIGTERM the executor
 * removes its containers.
 */
class SeparateProcessesIT {
    private static final Path JAR = Path.of("target/boxq.jar");
    private static final Path LOGS = Path.of("target/it-logs");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private static Map<String, String> env;
    private static String apiWorker;
    private static String executorWorker;
    private static Process api;
    private static Process executor;
    private static BoxqClient apiClient;
    private static BoxqClient executorClient;

    @BeforeAll
    static void startProcesses() throws IOException {
        assertThat(JAR).as("the server jar (failsafe runs after package)").isRegularFile();
        Files.createDirectories(LOGS);
        env = TestEnvironment.serverEnv("procs");
        apiWorker = TestEnvironment.unique("it-procs-api");
        executorWorker = TestEnvironment.unique("it-procs-exec");
        int apiPort = TestEnvironment.freePort();
        int executorPort = TestEnvironment.freePort();
        executor = launch("executor", executorWorker, executorPort);
        api = launch("api", apiWorker, apiPort);
        apiClient = new BoxqClient(URI.create("http://127.0.0.1:" + apiPort));
        executorClient = new BoxqClient(URI.create("http://127.0.0.1:" + executorPort));
    }

    @AfterAll
    static void cleanUp() {
        for (Process p : new Process[] {api, executor}) {
            if (p != null && p.isAlive()) {
                p.destroyForcibly();
            }
        }
        TestEnvironment.removeContainersOf(executorWorker);
        TestEnvironment.removeContainersOf(apiWorker);
        TestEnvironment.deleteRedisKeys(env.get("BOXQ_REDIS_PREFIX"));
    }

    @Test
    void a_job_submitted_to_the_api_process_runs_on_the_executor_process() throws InterruptedException {
        JsonNode executorHealth = awaitHealthy(executorClient, executor, "executor");
        assertThat(executorHealth.path("worker_id").asText()).isEqualTo(executorWorker);
        assertThat(executorHealth.path("pool").path("max_capacity").asInt()).isEqualTo(6);
        awaitHealthy(apiClient, api, "api");
        await("the api sees the executor's heartbeat").atMost(START_TIMEOUT)
                .until(() -> nodeIds(apiClient.get("/health", null).json()).contains(executorWorker));
        assertThat(executorClient.get("/v1/jobs", env.get("BOXQ_ADMIN_KEY")).status())
                .as("an executor-only process serves nothing but /health").isEqualTo(404);

        String key = apiClient.createKey(env.get("BOXQ_ADMIN_KEY"), "procs", "free").path("key").asText();
        JsonNode job = apiClient.run(key, "echo from $(hostname)");

        assertThat(job.path("state").asText()).isEqualTo("succeeded");
        assertThat(job.path("node").asText()).isEqualTo(executorWorker);
        String container = job.path("stdout").asText().trim().substring("from ".length());
        assertThat(TestEnvironment.containersOf(executorWorker)).extracting(c -> c.getId().substring(0, 12))
                .contains(container);
        assertThat(TestEnvironment.containersOf(apiWorker)).as("the api never talks to Docker").isEmpty();

        stop(executor, "executor");
        assertThat(TestEnvironment.containersOf(executorWorker)).as("containers left after SIGTERM").isEmpty();
        stop(api, "api");
    }

    private static Process launch(String role, String workerId, int port) throws IOException {
        Path log = LOGS.resolve("SeparateProcessesIT-" + role + ".log");
        ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar",
                JAR.toAbsolutePath().toString())
                .directory(LOGS.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> processEnv = pb.environment();
        processEnv.keySet().removeIf(name -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(name));
        processEnv.putAll(env);
        processEnv.put("BOXQ_ROLES", role);
        processEnv.put("WORKER_ID", workerId);
        processEnv.put("PORT", Integer.toString(port));
        return pb.start();
    }

    private static JsonNode awaitHealthy(BoxqClient client, Process process, String role) {
        return await(role + " /health").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .failFast(role + " process exited; see " + LOGS.resolve("SeparateProcessesIT-" + role + ".log"),
                        () -> !process.isAlive())
                .ignoreExceptionsInstanceOf(UncheckedIOException.class)
                .until(() -> client.get("/health", null), r -> r.status() == 200
                        && "healthy".equals(r.json().path("status").asText()))
                .json();
    }

    private static void stop(Process process, String role) throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as(role + " stops within 60 s of SIGTERM").isTrue();
    }

    private static List<String> nodeIds(JsonNode health) {
        List<String> ids = new ArrayList<>();
        health.path("nodes").forEach(n -> ids.add(n.path("worker_id").asText()));
        return ids;
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
