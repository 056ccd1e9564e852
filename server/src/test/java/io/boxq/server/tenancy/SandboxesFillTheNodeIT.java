package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose every container is a sandbox still serves those sandboxes: their jobs, file calls,
 * stats and deletion travel through the node's own stream, which it reads whatever its free
 * capacity for plain jobs. A plain job waits (never fails) until a container frees up.
 */
class SandboxesFillTheNodeIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("fullnode",
            Map.of("POOL_SIZE", "1", "MIN_POOL_SIZE", "1", "MAX_POOL_SIZE", "2"));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void sandboxes_holding_every_container_still_run_their_jobs_and_a_plain_job_waits_for_room() {
        String key = server.newKey("pro");
        String first = api.createSandbox(key);
        String second = api.createSandbox(key);

        String plain = api.submit(key, Map.of("command", "echo plain")).path("id").asText();
        for (String sandbox : new String[] {first, second}) {
            JsonNode job = api.runIn(key, sandbox, "echo in > f; cat f");
            assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
            assertThat(job.path("stdout").asText()).isEqualTo("in\n");
            Reply file = api.getFile(sandbox, "f", key);
            assertThat(file.status()).as(file.toString()).isEqualTo(200);
            assertThat(file.body()).isEqualTo("in\n");
            Reply put = api.putFile(sandbox, "g", key, "up".getBytes(StandardCharsets.UTF_8));
            assertThat(put.status()).as(put.toString()).isEqualTo(201);
            assertThat(api.get("/v1/sandboxes/" + sandbox + "/stats", key).status()).isEqualTo(200);
        }
        // No container is free for it: it waits (in the stream, or read just before the sandboxes
        // took the last containers, for one), and does not fail.
        assertThat(api.get("/v1/jobs/" + plain, key).json().path("state").asText()).isIn("queued", "running");

        assertThat(api.delete("/v1/sandboxes/" + first, key).status()).isEqualTo(204);

        JsonNode ran = api.awaitEnd(key, plain);
        assertThat(ran.path("state").asText()).as(ran.toString()).isEqualTo("succeeded");
        assertThat(ran.path("stdout").asText()).isEqualTo("plain\n");
        assertThat(api.delete("/v1/sandboxes/" + second, key).status()).isEqualTo(204);
    }
}
