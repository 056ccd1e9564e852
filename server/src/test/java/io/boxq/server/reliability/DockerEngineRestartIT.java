package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Container;
import io.boxq.executor.docker.DockerClients;
import io.boxq.executor.docker.Labels;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqProcess;
import io.boxq.server.TestEnvironment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Docker engine under a running node is restarted for real: a private {@code dockerd} of the
 * test's own (so no other test's containers die with it), the boxq jar as its own process with its
 * Quartz maintenance, as in production. A job in flight with one attempt ends {@code error}; one
 * with two runs again in a new container and succeeds; the pool rebuilds itself on its own (the
 * rebalance task, nothing called by the test); new jobs succeed.
 */
class DockerEngineRestartIT {
    private PrivateDockerEngine engine;
    private BoxqProcess boxq;
    private String prefix;
    private String admin;

    @BeforeEach
    void start() {
        engine = PrivateDockerEngine.start(List.of(TestEnvironment.BUSYBOX));
        Map<String, String> env = new HashMap<>(TestEnvironment.serverEnv("enginerestart"));
        prefix = env.get("BOXQ_REDIS_PREFIX");
        env.put("DOCKER_HOST", engine.host());
        env.put("ALLOWED_IMAGES", TestEnvironment.BUSYBOX); // the only image the private engine holds
        env.put("POOL_SIZE", "2");
        env.put("MIN_POOL_SIZE", "2");
        env.put("MAX_POOL_SIZE", "6");
        env.put("REBALANCE_INTERVAL_SECONDS", "1");
        env.put("HEARTBEAT_INTERVAL_SECONDS", "1");
        env.put("NODE_TTL_SECONDS", "30");
        boxq = BoxqProcess.launch("enginerestart", env, "api,executor", env.get("WORKER_ID"));
        admin = env.get("BOXQ_ADMIN_KEY");
        boxq.awaitUp();
    }

    @AfterEach
    void stop() throws InterruptedException {
        try {
            if (boxq != null) {
                assertThat(boxq.stop(Duration.ofSeconds(60))).as("the node stopped on SIGTERM").isTrue();
                assertThat(containers()).as("containers left after the node stopped").isEmpty();
            }
        } finally {
            if (boxq != null) {
                boxq.close();
            }
            if (engine != null) {
                engine.close();
            }
            TestEnvironment.deleteRedisKeys(prefix);
        }
    }

    @Test
    void an_engine_restart_ends_the_jobs_in_flight_and_the_pool_rebuilds_itself() {
        BoxqClient http = boxq.client;
        String key = http.createKey(admin, TestEnvironment.unique("engine"), "pro").path("key").asText();
        assertThat(http.run(key, "echo warm").path("state").asText()).isEqualTo("succeeded");
        String once = http.submit(key, Map.of("command", "sleep 8; echo once", "max_attempts", 1)).path("id").asText();
        String twice = http.submit(key, Map.of("command", "sleep 8; echo twice", "max_attempts", 2)).path("id").asText();
        await("both commands run in their containers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> running("echo once") && running("echo twice"));
        List<String> before = containers().stream().map(Container::getId).toList();

        engine.restart();

        LostJobs.assertOneLostAndOneRetried(http, key, once, twice);
        await("the pool rebuilt itself: fresh, running containers only").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(250)).until(() -> {
                    List<Container> now = containers();
                    return now.size() >= 2 && now.stream().allMatch(c -> "running".equals(c.getState()))
                            && now.stream().noneMatch(c -> before.contains(c.getId()))
                            && http.get("/health", null).json().path("pool").path("available").asInt() >= 2;
                });
        for (String k : List.of(key, http.createKey(admin, TestEnvironment.unique("engine"), "free").path("key").asText())) {
            JsonNode job = http.run(k, "echo fine");
            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
            assertThat(job.path("attempt").asInt()).isEqualTo(1);
        }
    }

    /** This node's containers on the private engine, running or not. */
    private List<Container> containers() {
        try (DockerClient docker = DockerClients.create(engine.host(), 0)) {
            return docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(Labels.NODE, boxq.workerId)).exec();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean running(String text) {
        try (DockerClient docker = DockerClients.create(engine.host(), 0)) {
            for (Container c : docker.listContainersCmd().withLabelFilter(Map.of(Labels.NODE, boxq.workerId)).exec()) {
                String[][] ps = docker.topContainerCmd(c.getId()).exec().getProcesses();
                if (ps != null && Arrays.stream(ps).map(p -> String.join(" ", p)).anyMatch(l -> l.contains(text))) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
