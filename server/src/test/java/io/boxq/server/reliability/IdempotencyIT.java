package io.boxq.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Idempotency-Key}: the same key and body give back the same job (200, {@code
 * Idempotent-Replayed: true}) and run it once; another body under the same key is a 409 problem;
 * the key is scoped to the API key, so another caller's identical header makes its own job.
 */
class IdempotencyIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("idem", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient http;

    @Test
    void a_repeated_request_gets_the_same_job_which_runs_once() {
        String key = newKey();
        String body = Json.write(Map.of("command", "echo once"));

        HttpResponse<String> first = submit(key, "order-1", body);
        HttpResponse<String> again = submit(key, "order-1", body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        String id = json(first).path("id").asText();
        assertThat(json(again).path("id").asText()).isEqualTo(id);
        assertThat(http.awaitEnd(key, id).path("stdout").asText()).isEqualTo("once\n");
        assertThat(json(submit(key, "order-1", body)).path("state").asText()).as("a replay after the end")
                .isEqualTo("succeeded");
        assertThat(jobsOf(key)).containsExactly(id);
    }

    @Test
    void parallel_repeats_all_get_one_job() throws Exception {
        String key = newKey();
        String body = Json.write(Map.of("command", "echo parallel"));
        List<Future<HttpResponse<String>>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                replies.add(pool.submit(() -> submit(key, "same-moment", body)));
            }
        }
        Set<String> ids = new HashSet<>();
        int created = 0;
        for (Future<HttpResponse<String>> f : replies) {
            HttpResponse<String> r = f.get();
            assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
            created += r.statusCode() == 202 ? 1 : 0;
            ids.add(json(r).path("id").asText());
        }

        assertThat(created).as("answers that made a job").isEqualTo(1);
        assertThat(ids).hasSize(1);
        assertThat(jobsOf(key)).containsExactlyElementsOf(ids);
    }

    @Test
    void another_body_under_the_same_key_is_a_conflict() {
        String key = newKey();
        HttpResponse<String> first = submit(key, "order-2", Json.write(Map.of("command", "echo a")));

        HttpResponse<String> other = submit(key, "order-2", Json.write(Map.of("command", "echo b")));

        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(other).path("detail").asText()).isNotBlank();
        assertThat(jobsOf(key)).containsExactly(json(first).path("id").asText());
    }

    /**
     * With results kept for less than the key's 24 h, a repeat after the first job's record expired
     * cannot get that job back; it is a 409 saying so, and the command does not run again.
     */
    @Test
    void a_repeat_after_the_first_job_expired_is_a_conflict_not_a_second_run() {
        BoxqTestServer shortLived = BoxqTestServer.start("idem-ttl", Map.of("JOB_RESULT_TTL_SECONDS", "1"));
        try {
            BoxqClient client = shortLived.client;
            String key = client.createKey(shortLived.adminKey(), TestEnvironment.unique("idem"), "free").path("key")
                    .asText();
            String body = Json.write(Map.of("command", "echo once"));
            HttpRequest.Builder first = client.request("/v1/jobs", key).header("Content-Type", "application/json")
                    .header("Idempotency-Key", "order-ttl").POST(HttpRequest.BodyPublishers.ofString(body));
            String job = json(client.exchange(first)).path("id").asText();
            assertThat(client.awaitEnd(key, job).path("state").asText()).isEqualTo("succeeded");
            await("the job's record expires").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                    .until(() -> client.get("/v1/jobs/" + job, key).status() == 404);

            HttpResponse<String> again = client.exchange(client.request("/v1/jobs", key)
                    .header("Content-Type", "application/json").header("Idempotency-Key", "order-ttl")
                    .POST(HttpRequest.BodyPublishers.ofString(body)));

            assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
            assertThat(json(again).path("detail").asText()).contains(job, "no longer kept");
        } finally {
            shortLived.stopAndAssertClean();
        }
    }

    @Test
    void the_key_is_scoped_to_the_api_key() {
        String alice = newKey();
        String bob = newKey();
        String body = Json.write(Map.of("command", "echo mine"));

        HttpResponse<String> a = submit(alice, "shared-name", body);
        HttpResponse<String> b = submit(bob, "shared-name", body);

        assertThat(a.statusCode()).isEqualTo(202);
        assertThat(b.statusCode()).as("bob's first use of the header").isEqualTo(202);
        String bobsJob = json(b).path("id").asText();
        assertThat(bobsJob).isNotEqualTo(json(a).path("id").asText());
        assertThat(http.awaitEnd(bob, bobsJob).path("state").asText()).isEqualTo("succeeded");
        assertThat(jobsOf(bob)).containsExactly(bobsJob);
    }

    @Test
    void a_malformed_key_is_refused() {
        String key = newKey();
        String body = Json.write(Map.of("command", "echo x"));

        for (String bad : List.of("", "x".repeat(256), "has space", "tab\there")) {
            HttpResponse<String> r = submit(key, bad, body);
            assertThat(r.statusCode()).as("Idempotency-Key '%s'", bad).isEqualTo(400);
            assertThat(json(r).path("detail").asText()).contains("Idempotency-Key");
        }
        assertThat(jobsOf(key)).isEmpty();
    }

    private static String newKey() {
        return http.createKey(server.adminKey(), TestEnvironment.unique("idem"), "free").path("key").asText();
    }

    private static HttpResponse<String> submit(String key, String idempotencyKey, String body) {
        return http.exchange(http.request("/v1/jobs", key).header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static JsonNode json(HttpResponse<String> r) {
        return new BoxqClient.Reply(r.statusCode(), "", r.body()).json();
    }

    private static List<String> jobsOf(String key) {
        List<String> ids = new ArrayList<>();
        http.get("/v1/jobs", key).json().path("jobs").forEach(j -> ids.add(j.path("id").asText()));
        return ids;
    }
}
