package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node's containers die under it: every one of them killed from outside ({@code docker kill},
 * what an engine restart does to them; {@link DockerEngineRestartIT} restarts a real engine). A job
 * in flight with one attempt ends {@code error}, one with two runs again and succeeds; the pool
 * drops its dead containers and warms new ones; new jobs succeed.
 */
class DockerRestartIT {
    private BoxqTestServer server;
    private BoxqClient http;

    @BeforeEach
    void startServer() {
        server = BoxqTestServer.start("dockerfault", Map.of("POOL_SIZE", "2", "MIN_POOL_SIZE", "2",
                "MAX_POOL_SIZE", "6", "NODE_TTL_SECONDS", "3600"));
        http = server.client;
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            String prefix = server.prefix();
            assertThat(server.stop()).as("containers left after the node closed").isEmpty();
            assertThat(TestEnvironment.redisKeys(prefix)).isEmpty();
        }
    }

    /**
     * Kills the waiting containers first and the two busy ones once the engine reports the others
     * dead, as a restart kills them all at once: the job that runs again must not be handed a
     * container the test has yet to kill.
     */
    @Test
    void containers_killed_from_outside_end_the_jobs_in_them_and_the_pool_rebuilds_itself() {
        survivesContainerLoss(() -> {
            List<String> busy = containersRunning("echo once", "echo twice");
            List<String> waiting = TestEnvironment.containersOf(server.workerId()).stream().map(Container::getId)
                    .filter(id -> !busy.contains(id)).toList();
            kill(waiting);
            await("the waiting containers are dead").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> TestEnvironment.containersOf(server.workerId()).stream()
                            .filter(c -> waiting.contains(c.getId())).noneMatch(c -> "running".equals(c.getState())));
            kill(busy);
        });
    }

    private void survivesContainerLoss(Runnable fault) {
        String key = newKey();
        assertThat(http.run(key, "echo warm").path("state").asText()).as("the key holds a container now")
                .isEqualTo("succeeded");
        String once = submit(key, "sleep 8; echo once", 1);
        String twice = submit(key, "sleep 8; echo twice", 2);
        awaitRunning(key, List.of(once, twice));
        server.node().rebalancePool(); // warm containers waiting beside the two busy ones
        assertThat(http.get("/health", null).json().path("pool").path("available").asInt()).isGreaterThanOrEqualTo(2);
        await("both commands run in their containers").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ContainerProcesses.count(server.workerId(), "echo once") >= 1
                        && ContainerProcesses.count(server.workerId(), "echo twice") >= 1);

        fault.run();

        LostJobs.assertOneLostAndOneRetried(http, key, once, twice);

        server.node().rebalancePool();
        assertThat(http.get("/health", null).json().path("pool").path("available").asInt())
                .as("warm containers after the rebalance").isGreaterThanOrEqualTo(2);
        await("only live containers are left").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> TestEnvironment.containersOf(server.workerId()).stream()
                        .allMatch(c -> "running".equals(c.getState())));
        for (String k : List.of(key, newKey())) {
            JsonNode job = http.run(k, "echo fine");
            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
            assertThat(job.path("attempt").asInt()).isEqualTo(1);
        }
    }

    /** The containers of the node in which a process whose command line contains one of {@code texts} runs. */
    private List<String> containersRunning(String... texts) {
        List<String> ids = new java.util.ArrayList<>();
        try (DockerClient docker = TestEnvironment.docker()) {
            for (Container c : TestEnvironment.containersOf(server.workerId())) {
                String[][] ps = docker.topContainerCmd(c.getId()).exec().getProcesses();
                if (ps != null && java.util.Arrays.stream(ps).map(p -> String.join(" ", p))
                        .anyMatch(line -> java.util.Arrays.stream(texts).anyMatch(line::contains))) {
                    ids.add(c.getId());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(ids).as("containers running the two jobs").hasSize(texts.length);
        return ids;
    }

    private static void kill(List<String> ids) {
        try (DockerClient docker = TestEnvironment.docker()) {
            ids.parallelStream().forEach(id -> {
                try {
                    docker.killContainerCmd(id).exec();
                } catch (DockerException e) {
                    // not running any more
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String newKey() {
        BoxqClient.Reply r = http.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("dockerfault"),
                "tier", "free", "concurrent_jobs", 4));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("key").asText();
    }

    private String submit(String key, String command, int attempts) {
        return http.submit(key, Map.of("command", command, "max_attempts", attempts)).path("id").asText();
    }

    private void awaitRunning(String key, List<String> ids) {
        await("jobs running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> ids.stream().allMatch(id ->
                        http.get("/v1/jobs/" + id, key).json().path("state").asText().equals("running")));
    }
}
