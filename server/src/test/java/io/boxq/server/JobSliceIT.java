package io.boxq.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient.Reply;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The first slice end to end over real HTTP: submit → Redis stream → warm container → result, with
 * the tenancy rules (another key's job is 404, listings are per key, revoked keys stop working) and
 * the error answers (problem+json naming the field).
 */
class JobSliceIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("slice", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient client;
    private static String keyA;
    private static String keyB;

    @BeforeAll
    static void twoKeysOfTwoUsers() {
        keyA = server.newKey("free");
        keyB = server.newKey("free");
    }

    @Test
    void a_failing_command_ends_failed_with_its_output_apart_and_its_exit_code() {
        JsonNode queued = client.submit(keyA, Map.of("command", "echo hello; echo oops >&2; exit 3"));
        assertThat(queued.path("state").asText()).isEqualTo("queued");
        assertThat(queued.path("id").asText()).startsWith("job_");

        JsonNode job = client.awaitEnd(keyA, queued.path("id").asText());

        assertThat(job.path("state").asText()).isEqualTo("failed");
        assertThat(job.path("exit_code").asInt()).isEqualTo(3);
        assertThat(job.path("stdout").asText()).isEqualTo("hello\n");
        assertThat(job.path("stderr").asText()).isEqualTo("oops\n");
        assertThat(job.path("node").asText()).isEqualTo(server.workerId());
        Instant queuedAt = Instant.parse(job.path("queued_at").asText());
        Instant startedAt = Instant.parse(job.path("started_at").asText());
        Instant finishedAt = Instant.parse(job.path("finished_at").asText());
        assertThat(queuedAt).isBeforeOrEqualTo(startedAt);
        assertThat(startedAt).isBeforeOrEqualTo(finishedAt);
    }

    @Test
    void a_command_that_exits_zero_ends_succeeded() {
        JsonNode job = client.run(keyA, "echo hi");

        assertThat(job.path("state").asText()).isEqualTo("succeeded");
        assertThat(job.path("exit_code").asInt()).isZero();
        assertThat(job.path("stdout").asText()).isEqualTo("hi\n");
        assertThat(job.path("stderr").asText()).isEmpty();
    }

    @Test
    void submit_answers_202_with_the_job_location() {
        Reply r = client.post("/v1/jobs", keyA, Map.of("command", "true"));

        assertThat(r.status()).isEqualTo(202);
        String id = r.json().path("id").asText();
        assertThat(client.get("/v1/jobs/" + id, keyA).status()).isEqualTo(200);
        assertThat(client.awaitEnd(keyA, id).path("state").asText()).isEqualTo("succeeded");
    }

    @Test
    void another_keys_job_is_404_and_never_listed() {
        String jobOfA = client.run(keyA, "echo mine").path("id").asText();
        String jobOfB = client.run(keyB, "echo theirs").path("id").asText();

        Reply asB = client.get("/v1/jobs/" + jobOfA, keyB);
        assertNotFoundProblem(asB);
        assertNotFoundProblem(client.get("/v1/jobs/" + jobOfA + "?wait=5", keyB));
        assertThat(asB.body()).doesNotContain("mine");

        assertThat(listedIds(keyA)).contains(jobOfA).doesNotContain(jobOfB);
        assertThat(listedIds(keyB)).contains(jobOfB).doesNotContain(jobOfA);
    }

    @Test
    void keys_never_share_a_container_and_a_keys_next_job_starts_clean() {
        String containerOfA = client.run(keyA, "echo secret > /workspace/a; echo secret > /tmp/t; "
                + "sleep 314159 >/dev/null 2>&1 & hostname").path("stdout").asText().trim();

        JsonNode asB = client.run(keyB, "hostname; find /workspace /tmp -mindepth 1 | wc -l");
        JsonNode nextOfA = client.run(keyA, "find /workspace /tmp -mindepth 1 | wc -l; n=0; "
                + "for f in /proc/[0-9]*/cmdline; do [ \"$(tr '\\0' ' ' < $f 2>/dev/null)\" = 'sleep 314159 ' ] "
                + "&& n=$((n+1)); done; echo $n");

        assertThat(asB.path("stdout").asText().lines().toList()).doesNotContain(containerOfA).endsWith("0");
        assertThat(nextOfA.path("stdout").asText()).as("files and processes left by the key's previous job")
                .isEqualTo("0\n0\n");
    }

    @Test
    void a_revoked_key_gets_401_on_its_next_request() {
        JsonNode created = client.createKey(server.adminKey(), "carol", "free");
        String key = created.path("key").asText();
        assertThat(client.get("/v1/jobs", key).status()).isEqualTo(200);

        assertThat(client.delete("/v1/keys/" + created.path("id").asText(), server.adminKey()).status())
                .isEqualTo(204);

        Reply r = client.get("/v1/jobs", key);
        assertProblem(r, 401);
    }

    @Test
    void only_the_admin_key_manages_keys() {
        assertProblem(client.post("/v1/keys", keyA, Map.of("user", "mallory")), 403);
        assertProblem(client.get("/v1/keys", keyA), 403);
        assertThat(client.get("/v1/keys", server.adminKey()).status()).isEqualTo(200);
    }

    @Test
    void health_has_the_seeds_shape() {
        Reply r = client.get("/health", null);

        assertThat(r.status()).isEqualTo(200);
        JsonNode h = r.json();
        assertThat(h.path("status").asText()).isEqualTo("healthy");
        assertThat(h.path("worker_id").asText()).isEqualTo(server.workerId());
        assertThat(fieldNames(h.path("pool"))).containsExactlyInAnyOrder("available", "allocated", "total", "max_capacity");
        assertThat(h.path("pool").path("max_capacity").asInt()).isEqualTo(6);
        assertThat(h.path("pool").path("total").asInt()).isBetween(1, 6);
        assertThat(h.path("active_sessions").isInt()).isTrue();
        assertThat(fieldNames(h.path("config")))
                .containsExactlyInAnyOrder("pool_size", "max_pool_size", "aggressive_cleanup");
        assertThat(h.path("config").path("pool_size").asInt()).isEqualTo(2);
        assertThat(h.path("config").path("max_pool_size").asInt()).isEqualTo(6);
        assertThat(h.path("config").path("aggressive_cleanup").isBoolean()).isTrue();
    }

    @ParameterizedTest(name = "{0} -> 400 on {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {"command":                    | body
            not json                       | body
            {}                             | command
            {"command": ""}                | command
            {"command": 5}                 | command
            {"command": "ls", "shell": 1}  | shell
            """)
    void a_bad_submit_is_a_400_problem_naming_the_field(String body, String field) {
        Reply r = client.post("/v1/jobs", keyA, body);

        JsonNode problem = assertProblem(r, 400);
        List<String> fields = new ArrayList<>();
        problem.path("errors").forEach(e -> fields.add(e.path("field").asText()));
        assertThat(fields).containsExactly(field);
    }

    @Test
    void a_body_over_one_mebibyte_is_a_413_problem() {
        String command = "x".repeat((1 << 20) + 16);

        assertProblem(client.post("/v1/jobs", keyA, Map.of("command", command)), 413);
    }

    @Test
    void a_missing_or_unknown_key_is_401() {
        assertProblem(client.get("/v1/jobs", null), 401);
        assertProblem(client.post("/v1/jobs", null, Map.of("command", "true")), 401);
        assertProblem(client.get("/v1/jobs", "bq_not_a_key"), 401);
        assertProblem(client.send(HttpRequest.newBuilder(client.base().resolve("/v1/jobs"))
                .header("X-API-Key", "bq_not_a_key").GET()), 401);
        assertThat(client.send(HttpRequest.newBuilder(client.base().resolve("/v1/jobs"))
                .header("X-API-Key", keyA).GET()).status()).isEqualTo(200);
    }

    @Test
    void an_unknown_job_is_404() {
        assertNotFoundProblem(client.get("/v1/jobs/job_000000000000000000000000", keyA));
        assertNotFoundProblem(client.get("/v1/jobs/job_000000000000000000000000?wait=5", keyA));
        assertNotFoundProblem(client.get("/v1/jobs/../../etc/passwd", keyA));
        assertNotFoundProblem(client.get("/v1/jobs/not-an-id", keyA));
    }

    private static void assertNotFoundProblem(Reply r) {
        assertProblem(r, 404);
    }

    private static JsonNode assertProblem(Reply r, int status) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("type").asText()).startsWith("https://");
        assertThat(p.path("title").asText()).isNotBlank();
        assertThat(p.path("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        return p;
    }

    private static List<String> listedIds(String key) {
        Reply r = client.get("/v1/jobs?limit=100", key);
        assertThat(r.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.json().path("jobs").forEach(j -> ids.add(j.path("id").asText()));
        return ids;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
