package io.boxq.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The queue part of {@code GET /v1/system/overview}: a free key (2 run slots) with 4 long jobs. */
class OverviewQueueIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("overview-queue", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void a_key_with_full_run_slots_shows_its_running_and_waiting_jobs() {
        String user = TestEnvironment.unique("busy");
        JsonNode created = api.createKey(server.adminKey(), user, "free");
        String key = created.path("key").asText();
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            jobs.add(api.submit(key, Map.of("command", "sleep 60", "timeout_s", 90)).path("id").asText());
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> states(overview()),
                s -> s.equals(List.of("queued", "queued", "running", "running")));
        JsonNode queue = overview().path("queue");
        assertThat(queue.path("backlog").asLong()).isEqualTo(2);
        assertThat(queue.path("running").asLong()).isEqualTo(2);
        JsonNode row = queue.path("keys").get(0);
        assertThat(row.path("key_id").asText()).isEqualTo(created.path("id").asText());
        assertThat(row.path("user").asText()).isEqualTo(user);
        assertThat(row.path("tier").asText()).isEqualTo("free");
        assertThat(row.path("backlog").asLong()).isEqualTo(2);
        assertThat(row.path("running").asLong()).isEqualTo(2);
        assertThat(overview().path("jobs").path("recent").get(0).path("id").asText()).isEqualTo(jobs.get(3));

        for (String job : jobs.reversed()) {
            Reply cancel = api.post("/v1/jobs/" + job + "/cancel", key, "");
            assertThat(cancel.status()).as(cancel.body()).isIn(200, 409);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> overview().path("queue").path("keys").isEmpty());
    }

    /** The states of the recent jobs, newest first. */
    private static List<String> states(JsonNode overview) {
        List<String> states = new ArrayList<>();
        overview.path("jobs").path("recent").forEach(j -> states.add(j.path("state").asText()));
        return states;
    }

    private static JsonNode overview() {
        Reply r = api.get("/v1/system/overview", server.adminKey());
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }
}
