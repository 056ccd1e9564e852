package io.boxq.server.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.ContainerShell;
import io.boxq.server.TestEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runner inside a container killed from outside (SIGKILL of its main shell, the container left
 * running), over real HTTP: the job under it ends {@code error} naming the lost runner long before
 * its command or timeout would have ended, the container is removed, and the pool makes up for it;
 * a warm container whose runner died is never handed out.
 *
 * <p>Each test has its own server with {@code POOL_SIZE = MIN_POOL_SIZE = 3}, so the pool's target
 * is 3 unclaimed containers whatever the demand, and its figures before and after are known.
 */
class RunnerLossIT {
    private static final int WARM = 3;
    private static final Duration NOTICED = Duration.ofSeconds(20);

    private BoxqTestServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stopAndAssertClean();
        }
    }

    @Test
    void a_runner_killed_under_a_running_job_ends_it_error_and_the_pool_replaces_its_container() {
        server = BoxqTestServer.start("runner-lost", Map.of("POOL_SIZE", "3", "MIN_POOL_SIZE", "3",
                "REBALANCE_INTERVAL_SECONDS", "1")).runMaintenance();
        BoxqClient client = server.client;
        String key = client.createKey(server.adminKey(), "alice", "free").path("key").asText();
        // a command and a timeout that both outlast the test by far: only noticing the runner's death ends it
        String jobId = client.submit(key, Map.of("command", "sleep 3141", "timeout_s", 3600)).path("id").asText();
        String box = await("the command runs in a container").atMost(Duration.ofSeconds(30))
                .until(() -> ContainerShell.containerRunning(server.workerId(), "sleep 3141"), found -> found.isPresent())
                .orElseThrow();
        assertThat(state(client, key, jobId)).isEqualTo("running");

        ContainerShell.killRunner(box);

        JsonNode job = await("the job ends").atMost(NOTICED).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get("/v1/jobs/" + jobId + "?wait=5", key).json(),
                        j -> !Set.of("queued", "running").contains(j.path("state").asText()));
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("error");
        assertThat(job.path("error").asText()).contains("runner").contains(box);
        assertThat(job.path("attempt").asInt()).as("it did not run again").isEqualTo(1);

        await("the container of the dead runner is removed").atMost(NOTICED)
                .until(() -> ids(TestEnvironment.containersOf(server.workerId())), ids -> !ids.contains(box));
        await("the pool is back to its warm containers, none allocated").atMost(NOTICED)
                .until(() -> health(client), p -> p.path("available").asInt() == WARM
                        && p.path("allocated").asInt() == 0 && p.path("total").asInt() == WARM);
        await("the engine holds exactly those").atMost(NOTICED)
                .until(() -> TestEnvironment.containersOf(server.workerId()).size() == WARM);

        JsonNode next = client.run(key, "hostname");
        assertThat(next.path("state").asText()).as(next.toString()).isEqualTo("succeeded");
        assertThat(box).doesNotStartWith(next.path("stdout").asText().trim());
    }

    @Test
    void a_warm_container_whose_runner_died_is_never_handed_out() {
        // No maintenance runs here: only the job's own hand-out can notice the dead runners. With
        // three dead warm containers a pool that handed them out would fail the job (a job tries at
        // most three containers whose runner is dead before the command starts).
        server = BoxqTestServer.start("runner-idle-lost", Map.of("POOL_SIZE", "3", "MIN_POOL_SIZE", "3"));
        BoxqClient client = server.client;
        assertThat(health(client).path("available").asInt()).isEqualTo(WARM);
        List<String> warm = ids(TestEnvironment.containersOf(server.workerId()));
        assertThat(warm).hasSize(WARM);

        warm.forEach(ContainerShell::killRunner);

        await("the node sees no warm container left").atMost(NOTICED)
                .until(() -> health(client), p -> p.path("available").asInt() == 0);
        String key = client.createKey(server.adminKey(), "alice", "free").path("key").asText();
        JsonNode job = client.run(key, "hostname");
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
        String host = job.path("stdout").asText().trim();
        assertThat(warm).noneMatch(id -> id.startsWith(host));
        await("the dead containers are removed").atMost(NOTICED)
                .until(() -> ids(TestEnvironment.containersOf(server.workerId())), ids -> ids.stream().noneMatch(warm::contains));
    }

    @Test
    void a_warm_container_whose_runner_died_never_becomes_a_sandbox() {
        server = BoxqTestServer.start("runner-idle-sandbox", Map.of("POOL_SIZE", "3", "MIN_POOL_SIZE", "3"));
        BoxqClient client = server.client;
        List<String> warm = ids(TestEnvironment.containersOf(server.workerId()));
        assertThat(warm).hasSize(WARM);

        warm.forEach(ContainerShell::killRunner);

        await("the node sees no warm container left").atMost(NOTICED)
                .until(() -> health(client), p -> p.path("available").asInt() == 0);
        String key = client.createKey(server.adminKey(), "alice", "free").path("key").asText();
        JsonNode sandbox = client.post("/v1/sandboxes", key, "{}").json();
        assertThat(sandbox.path("state").asText()).as(sandbox.toString()).isEqualTo("ready");
        JsonNode job = client.run(key, Map.of("command", "hostname", "sandbox_id", sandbox.path("id").asText()));
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
        String host = job.path("stdout").asText().trim();
        assertThat(warm).noneMatch(id -> id.startsWith(host));
        assertThat(client.delete("/v1/sandboxes/" + sandbox.path("id").asText(), key).status()).isEqualTo(204);
    }

    @Test
    void a_sandbox_whose_agent_was_killed_gets_a_new_one_in_the_same_container_with_its_files() {
        server = BoxqTestServer.start("runner-sandbox-lost", Map.of("POOL_SIZE", "1", "MIN_POOL_SIZE", "1"));
        BoxqClient client = server.client;
        String key = client.createKey(server.adminKey(), "alice", "free").path("key").asText();
        String sandbox = client.post("/v1/sandboxes", key, "{}").json().path("id").asText();
        JsonNode wrote = client.run(key, Map.of("command", "echo kept > notes; hostname", "sandbox_id", sandbox));
        String host = wrote.path("stdout").asText().trim();
        String box = ids(TestEnvironment.containersOf(server.workerId())).stream().filter(id -> id.startsWith(host))
                .findFirst().orElseThrow();

        // killed between jobs: the next job finds the agent gone and gets a new one in the same container
        ContainerShell.killRunner(box);
        JsonNode after = client.run(key, Map.of("command", "cat notes; hostname", "sandbox_id", sandbox));
        assertThat(after.path("state").asText()).as(after.toString()).isEqualTo("succeeded");
        assertThat(after.path("stdout").asText()).isEqualTo("kept\n" + host + "\n");

        // dies with the next job sent to it but unread (stopped, then killed): it never saw the
        // command, so the job goes to a new agent in the same container and runs once
        ContainerShell.signalRunner(box, "STOP");
        String unread = client.submit(key, Map.of("command", "echo once >> runs; cat runs", "sandbox_id", sandbox))
                .path("id").asText();
        await("the job waits on the stopped agent").pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(30))
                .until(() -> state(client, key, unread), "running"::equals);
        ContainerShell.signalRunner(box, "KILL");
        JsonNode resent = client.awaitEnd(key, unread);
        assertThat(resent.path("state").asText()).as(resent.toString()).isEqualTo("succeeded");
        assertThat(resent.path("stdout").asText()).isEqualTo("once\n");

        // killed under a job: that job ends error naming the agent, the sandbox goes on with its files
        String jobId = client.submit(key, Map.of("command", "sleep 3142", "sandbox_id", sandbox, "timeout_s", 3600))
                .path("id").asText();
        await("the command runs").atMost(Duration.ofSeconds(30))
                .until(() -> ContainerShell.processes(box).stream().anyMatch(p -> p.contains("sleep 3142")));
        ContainerShell.killRunner(box);
        JsonNode killed = await("the job ends").atMost(NOTICED).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get("/v1/jobs/" + jobId + "?wait=5", key).json(),
                        j -> !Set.of("queued", "running").contains(j.path("state").asText()));
        assertThat(killed.path("state").asText()).as(killed.toString()).isEqualTo("error");
        assertThat(killed.path("error").asText()).contains("agent");
        JsonNode still = client.run(key, Map.of("command", "cat notes", "sandbox_id", sandbox));
        assertThat(still.path("stdout").asText()).as(still.toString()).isEqualTo("kept\n");
        assertThat(client.get("/v1/sandboxes/" + sandbox, key).json().path("state").asText()).isEqualTo("ready");
        assertThat(client.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
    }

    private static String state(BoxqClient client, String key, String jobId) {
        return client.get("/v1/jobs/" + jobId, key).json().path("state").asText();
    }

    private static JsonNode health(BoxqClient client) {
        return client.get("/health", null).json().path("pool");
    }

    private static List<String> ids(List<Container> containers) {
        return containers.stream().map(Container::getId).toList();
    }
}
