package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.json.Json;
import io.boxq.server.BoxqClient.Reply;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST /v1/jobs/batch} over real HTTP, Redis and containers: every item gets its own
 * outcome, the good ones really run, the key's run slots and backlog hold each job, the rate limit
 * counts the batch once, and an Idempotency-Key gives a retried batch its jobs back.
 */
class BatchSubmitIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("batch", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient client;

    @Test
    void each_item_gets_its_own_result_and_the_good_ones_run() {
        String key = newKey("mixed");
        Reply r = client.post("/v1/jobs/batch", key, """
                {"jobs": [
                  {"command": "echo one"},
                  {"timeout_s": 5},
                  {"command": 5},
                  {"command": "echo never", "colour": "red"},
                  {"command": "printf two >&2; exit 3", "metadata": {"run": "r-1"}},
                  "echo not-an-object",
                  {"command": "cat", "stdin": "piped"},
                  {"command": "echo x", "sandbox_id": "sbx_000000000000"}
                ]}""");

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        JsonNode results = r.json().path("results");
        assertThat(results).hasSize(8);
        for (int i = 0; i < results.size(); i++) {
            assertThat(results.get(i).path("index").asInt()).isEqualTo(i);
        }
        assertThat(statuses(results)).containsExactly(202, 400, 400, 400, 202, 400, 202, 404);
        assertThat(fieldsAtFault(results.get(1))).containsExactly("jobs[1].command");
        assertThat(fieldsAtFault(results.get(2))).containsExactly("jobs[2].command");
        assertThat(results.get(2).path("problem").path("errors").get(0).path("message").asText())
                .isEqualTo("must be a string");
        assertThat(fieldsAtFault(results.get(3))).containsExactly("jobs[3].colour");
        assertThat(fieldsAtFault(results.get(5))).containsExactly("jobs[5]");
        assertThat(results.get(1).path("problem").path("detail").asText()).isEqualTo("jobs[1].command: is required");
        assertThat(results.get(7).path("problem").path("detail").asText()).contains("sandbox");
        assertThat(results.get(0).has("problem")).isFalse();
        assertThat(results.get(1).has("job")).isFalse();

        JsonNode one = client.awaitEnd(key, jobId(results.get(0)));
        assertThat(one.path("state").asText()).isEqualTo("succeeded");
        assertThat(one.path("stdout").asText()).isEqualTo("one\n");
        JsonNode two = client.awaitEnd(key, jobId(results.get(4)));
        assertThat(two.path("state").asText()).isEqualTo("failed");
        assertThat(two.path("exit_code").asInt()).isEqualTo(3);
        assertThat(two.path("stderr").asText()).isEqualTo("two");
        assertThat(two.path("metadata").path("run").asText()).isEqualTo("r-1");
        JsonNode piped = client.awaitEnd(key, jobId(results.get(6)));
        assertThat(piped.path("stdout").asText()).isEqualTo("piped");

        JsonNode listed = client.get("/v1/jobs", key).json().path("jobs");
        assertThat(listed).hasSize(3);
    }

    @Test
    void a_batch_without_one_to_a_hundred_jobs_is_refused_whole_naming_jobs() {
        String key = newKey("bounds");
        List<Map<String, String>> tooMany = Collections.nCopies(101, Map.of("command", "echo hi"));

        for (String body : List.of(Json.write(Map.of("jobs", tooMany)), "{\"jobs\": []}", "{}",
                "{\"jobs\": {\"command\": \"echo hi\"}}", "{\"jobs\": [{\"command\": \"echo hi\"}], \"also\": 1}")) {
            Reply r = client.post("/v1/jobs/batch", key, body);

            assertThat(r.status()).as(body).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(fieldsAtFault(r.json())).as(body).containsAnyOf("jobs", "also");
        }
        Reply r = client.post("/v1/jobs/batch", key, Json.write(Map.of("jobs", tooMany)));
        assertThat(r.json().path("detail").asText()).isEqualTo("jobs: must have 1 to 100 items (it has 101)");
        assertThat(client.get("/v1/jobs", key).json().path("jobs")).isEmpty();
    }

    @Test
    void a_hundred_jobs_are_accepted_and_wait_for_the_keys_run_slots() {
        String key = newKey("slots"); // free tier: 2 jobs of a key run at once, the rest wait in its backlog
        List<Map<String, String>> jobs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            jobs.add(Map.of("command", i < 2 ? "sleep 2; echo " + i : "echo " + i));
        }

        Reply r = client.post("/v1/jobs/batch", key, Map.of("jobs", jobs));

        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(statuses(r.json().path("results"))).containsOnly(202).hasSize(100);
        JsonNode usage = client.get("/v1/quota/usage", key).json().path("usage");
        assertThat(usage.path("running_jobs").asInt()).isEqualTo(2);
        assertThat(usage.path("backlog_jobs").asInt()).isEqualTo(98);
        JsonNode last = client.awaitEnd(key, jobId(r.json().path("results").get(99)));
        assertThat(last.path("state").asText()).isEqualTo("succeeded");
        assertThat(last.path("stdout").asText()).isEqualTo("99\n");
    }

    @Test
    void the_rate_limit_counts_a_batch_as_one_request() {
        String key = client.post("/v1/keys", server.adminKey(),
                Map.of("user", TestEnvironment.unique("rate"), "tier", "free", "requests_per_minute", 3))
                .json().path("key").asText();
        List<Map<String, String>> five = Collections.nCopies(5, Map.of("command", "true"));

        HttpResponse<String> r = client.exchange(client.request("/v1/jobs/batch", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("jobs", five)))));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("X-RateLimit-Limit")).hasValue("3");
        assertThat(r.headers().firstValue("X-RateLimit-Remaining")).hasValue("2");
    }

    @Test
    void a_retried_batch_with_the_same_idempotency_key_gets_its_jobs_back() {
        String key = newKey("idem");
        String body = """
                {"jobs": [{"command": "echo a"}, {"command": 7}, {"command": "echo c"}]}""";

        JsonNode first = batch(key, "batch-1", body);
        JsonNode again = batch(key, "batch-1", body);
        JsonNode changed = batch(key, "batch-1", """
                {"jobs": [{"command": "echo a"}, {"command": "echo b"}, {"command": "echo C"}]}""");

        assertThat(statuses(first)).containsExactly(202, 400, 202);
        assertThat(statuses(again)).containsExactly(200, 400, 200);
        assertThat(again.get(0).path("replayed").asBoolean()).isTrue();
        assertThat(jobId(again.get(0))).isEqualTo(jobId(first.get(0)));
        assertThat(jobId(again.get(2))).isEqualTo(jobId(first.get(2)));
        // Item 1 had failed, so it is queued now; item 2 changed under the same key and index.
        assertThat(statuses(changed)).containsExactly(200, 202, 409);
        assertThat(client.get("/v1/jobs", key).json().path("jobs")).hasSize(3);

        HttpResponse<String> bad = client.exchange(client.request("/v1/jobs/batch", key)
                .header("Idempotency-Key", "has space").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("Idempotency-Key");
    }

    private static JsonNode batch(String key, String idempotencyKey, String body) {
        HttpResponse<String> r = client.exchange(client.request("/v1/jobs/batch", key)
                .header("Idempotency-Key", idempotencyKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new Reply(r.statusCode(), "", r.body()).json().path("results");
    }

    private static String newKey(String user) {
        return client.createKey(server.adminKey(), TestEnvironment.unique(user), "free").path("key").asText();
    }

    private static List<Integer> statuses(JsonNode results) {
        List<Integer> statuses = new ArrayList<>();
        results.forEach(r -> statuses.add(r.path("status").asInt()));
        return statuses;
    }

    private static String jobId(JsonNode result) {
        assertThat(result.path("job").path("id").asText()).as(result.toString()).startsWith("job_");
        return result.path("job").path("id").asText();
    }

    /** The fields a problem names, from an item's result or from a problem itself. */
    private static List<String> fieldsAtFault(JsonNode node) {
        JsonNode problem = node.has("problem") ? node.path("problem") : node;
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        return fields;
    }
}
