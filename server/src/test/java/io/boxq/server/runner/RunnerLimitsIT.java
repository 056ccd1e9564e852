package io.boxq.server.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.ContainerShell;
import io.boxq.server.TestServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The runner's limits over real HTTP: {@code timeout_s} kills the command's whole process group and
 * keeps its output so far; stdout stops at {@code OUTPUT_LIMIT_BYTES} with {@code stdout_truncated}.
 */
class RunnerLimitsIT {
    private static final int LIMIT = 65536;
    /** Far less than the commands' sleeps: only the timeout can end them this soon. */
    private static final Duration SOON = Duration.ofSeconds(20);

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("runner-limits",
            Map.of("OUTPUT_LIMIT_BYTES", Integer.toString(LIMIT)));
    private static BoxqTestServer server;
    private static BoxqClient client;
    private static String key;

    @BeforeAll
    static void startServer() {
        key = client.createKey(server.adminKey(), "alice", "free").path("key").asText();
    }

    @Test
    void a_job_past_its_timeout_ends_timed_out_soon_with_its_output_so_far() {
        String id = client.submit(key, Map.of("command", "echo before; sleep 2717 & sleep 2717", "timeout_s", 1))
                .path("id").asText();

        JsonNode job = awaitEnd(id);

        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("timed_out");
        assertThat(job.path("stdout").asText()).isEqualTo("before\n");
        assertThat(job.path("stdout_truncated").asBoolean()).isFalse();
    }

    @Test
    void the_timeout_kills_the_background_children_too() {
        // In a sandbox: no reset between its commands kills what a command left behind, so only the
        // timeout's kill of the whole process group can end the background sleep.
        JsonNode sandbox = client.post("/v1/sandboxes", key, "{}").json();
        assertThat(sandbox.path("state").asText()).as(sandbox.toString()).isEqualTo("ready");
        String sandboxId = sandbox.path("id").asText();
        try {
            String id = client.submit(key, Map.of("command", "echo before; sleep 2718 & sleep 2718", "timeout_s", 1,
                    "sandbox_id", sandboxId)).path("id").asText();

            JsonNode job = awaitEnd(id);

            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("timed_out");
            assertThat(job.path("stdout").asText()).isEqualTo("before\n");
            await("no sleep 2718 is left in the node's containers").atMost(SOON)
                    .until(() -> ContainerShell.containerRunning(server.workerId(), "sleep 2718").isEmpty());
            JsonNode next = client.run(key, Map.of("command", "echo still here", "sandbox_id", sandboxId));
            assertThat(next.path("stdout").asText()).as(next.toString()).isEqualTo("still here\n");
        } finally {
            client.delete("/v1/sandboxes/" + sandboxId, key);
        }
    }

    @Test
    void five_megabytes_of_stdout_stop_at_the_output_limit_with_the_flag_set() {
        JsonNode job = client.run(key, "head -c 5000000 /dev/zero; echo small >&2");

        assertThat(job.path("state").asText()).as(job.path("error").asText()).isEqualTo("succeeded");
        byte[] stdout = bytes(job, "stdout");
        assertThat(stdout).hasSize(LIMIT).containsOnly(0);
        assertThat(job.path("stdout_truncated").asBoolean()).isTrue();
        assertThat(job.path("stderr").asText()).isEqualTo("small\n");
        assertThat(job.path("stderr_truncated").asBoolean()).isFalse();
    }

    private static JsonNode awaitEnd(String id) {
        return await("job " + id + " ends").atMost(SOON).pollInterval(Duration.ofMillis(200))
                .until(() -> client.get("/v1/jobs/" + id + "?wait=5", key).json(),
                        j -> !Set.of("queued", "running").contains(j.path("state").asText()));
    }

    private static byte[] bytes(JsonNode job, String stream) {
        String text = job.path(stream).asText();
        return "base64".equals(job.path(stream + "_encoding").asText())
                ? Base64.getDecoder().decode(text) : text.getBytes(StandardCharsets.UTF_8);
    }
}
