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
 * A node killed with SIGKILL comes back under the same {@code WORKER_ID} (what a supervisor or
 * compose's restart policy does): on start it reads its own pending stream entries again. A job
 * that had started under the dead process is not run again as if it were new (its result could
 * never be stored: the fencing token is the old attempt's): the stalled-job rules settle it, by its
 * attempts. One attempt ends {@code error}; two run again and succeed; nothing stays {@code running}.
 *
 * <p>The first process's containers have a nofile limit of 1024, the second's 2048, so a command
 * sleeps only under the first: {@code [ "$(ulimit -n)" = 1024 ] && sleep 300}.
 */
class NodeRestartIT {
    private static final String FIRST_LIFE_ONLY_SLEEP = "[ \"$(ulimit -n)\" = 1024 ] && sleep 300; ";

    private BoxqProcess node;
    private String prefix;
    private String workerId;

    @AfterEach
    void cleanUp() {
        if (node != null) {
            node.close();
        }
        if (workerId != null) {
            TestEnvironment.removeContainersOf(workerId);
        }
        if (prefix != null) {
            TestEnvironment.deleteRedisKeys(prefix);
        }
    }

    @Test
    void a_node_restarted_under_its_id_settles_the_jobs_its_first_life_had_started() throws InterruptedException {
        Map<String, String> env = new HashMap<>(TestEnvironment.serverEnv("restart"));
        env.putAll(Map.of("LEASE_TIMEOUT_SECONDS", "3", "RECLAIM_INTERVAL_SECONDS", "1", "NODE_TTL_SECONDS", "4",
                "HEARTBEAT_INTERVAL_SECONDS", "1", "NOFILE_LIMIT", "1024"));
        prefix = env.get("BOXQ_REDIS_PREFIX");
        workerId = env.get("WORKER_ID");
        String admin = env.get("BOXQ_ADMIN_KEY");
        node = BoxqProcess.launch("NodeRestartIT-first", env, "api,executor", workerId);
        node.awaitUp();
        BoxqClient http = node.client;
        BoxqClient.Reply k = http.post("/v1/keys", admin, Map.of("user", TestEnvironment.unique("restart"),
                "tier", "free", "concurrent_jobs", 4));
        assertThat(k.status()).as(k.body()).isEqualTo(201);
        String key = k.json().path("key").asText();
        String once = http.submit(key, Map.of("command", FIRST_LIFE_ONLY_SLEEP + "echo once", "max_attempts", 1))
                .path("id").asText();
        String twice = http.submit(key, Map.of("command", FIRST_LIFE_ONLY_SLEEP + "echo twice", "max_attempts", 2))
                .path("id").asText();
        await("both run under the first process").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> ContainerProcesses.count(workerId, "sleep 300") >= 2);

        node.kill();
        TestEnvironment.removeContainersOf(workerId); // its sleeping commands die with it, as on a host reboot
        env.put("NOFILE_LIMIT", "2048");
        node = BoxqProcess.launch("NodeRestartIT-second", env, "api,executor", workerId);
        node.awaitUp();
        BoxqClient again = node.client;

        JsonNode lost = again.awaitEnd(key, once);
        assertThat(lost.path("state").asText()).as(lost.toString()).isEqualTo("error");
        assertThat(lost.path("error").asText()).contains("executor lost");
        JsonNode rerun = again.awaitEnd(key, twice);
        assertThat(rerun.path("state").asText()).as(rerun.toString()).isEqualTo("succeeded");
        assertThat(rerun.path("stdout").asText()).isEqualTo("twice\n");
        assertThat(rerun.path("attempt").asInt()).isEqualTo(2);
        JsonNode next = again.run(key, "echo after");
        assertThat(next.path("state").asText()).as(next.toString()).isEqualTo("succeeded");
    }
}
