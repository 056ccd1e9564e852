package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.id.RandomIds;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Nothing of one key is visible to another: on every route, key B gets the same 404 problem for key
 * A's job or sandbox as for one that does not exist, and none of B's attempts changes A's sandbox.
 */
class TenantIsolationIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("isolation", Map.of("MAX_POOL_SIZE", "8"));
    private static BoxqTestServer server;
    private static BoxqClient api;
    private static String keyA;
    private static String keyB;
    private static String sandboxOfA;
    private static String jobOfA;
    private static String jobOfB;

    @BeforeAll
    static void startServer() {
        keyA = server.newKey("free");
        keyB = server.newKey("free");
        sandboxOfA = api.createSandbox(keyA);
        assertThat(api.putFile(sandboxOfA, "f.txt", keyA, "mine".getBytes(StandardCharsets.UTF_8)).status())
                .isEqualTo(201);
        jobOfA = api.runIn(keyA, sandboxOfA, "cat f.txt").path("id").asText();
        jobOfB = api.run(keyB, "echo theirs").path("id").asText();
    }

    @Test
    void another_keys_job_is_not_found_and_not_listed() {
        Map<String, Function<String, Reply>> routes = new LinkedHashMap<>();
        routes.put("GET job", id -> api.get("/v1/jobs/" + id, keyB));
        routes.put("GET job ?wait=1", id -> api.get("/v1/jobs/" + id + "?wait=1", keyB));

        assertLooksMissing(routes, jobOfA, "job_" + RandomIds.hex(12));

        assertThat(listedJobs(keyB)).contains(jobOfB).doesNotContain(jobOfA);
        assertThat(listedJobs(keyA)).contains(jobOfA).doesNotContain(jobOfB);
        assertThat(api.get("/v1/jobs/" + jobOfA, keyA).json().path("stdout").asText()).isEqualTo("mine");
    }

    @Test
    void another_key_cannot_cancel_a_job_that_its_owner_can() {
        String sleeping = api.submit(keyA, Map.of("command", "sleep 25")).path("id").asText();

        assertLooksMissing(Map.of("cancel", id -> api.post("/v1/jobs/" + id + "/cancel", keyB, Map.of())),
                sleeping, "job_" + RandomIds.hex(12));

        assertThat(api.get("/v1/jobs/" + sleeping, keyA).json().path("state").asText()).isIn("queued", "running");
        Reply own = api.post("/v1/jobs/" + sleeping + "/cancel", keyA, Map.of());
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(api.awaitEnd(keyA, sleeping).path("state").asText()).isEqualTo("cancelled");
    }

    @Test
    void another_keys_sandbox_is_not_found_on_every_route_and_stays_untouched() {
        JsonNode before = api.get("/v1/sandboxes/" + sandboxOfA, keyA).json();
        Map<String, Function<String, Reply>> routes = new LinkedHashMap<>();
        routes.put("GET sandbox", id -> api.get("/v1/sandboxes/" + id, keyB));
        routes.put("keepalive", id -> api.post("/v1/sandboxes/" + id + "/keepalive", keyB, Map.of("ttl_s", 3600)));
        routes.put("PUT file", id -> api.putFile(id, "f.txt", keyB, "theirs".getBytes(StandardCharsets.UTF_8)));
        routes.put("GET file", id -> api.getFile(id, "f.txt", keyB));
        routes.put("stats", id -> api.get("/v1/sandboxes/" + id + "/stats", keyB));
        routes.put("job in it", id -> api.post("/v1/jobs", keyB, Map.of("command", "rm -f f.txt", "sandbox_id", id)));
        routes.put("DELETE sandbox", id -> api.delete("/v1/sandboxes/" + id, keyB));

        assertLooksMissing(routes, sandboxOfA, "sbx_" + RandomIds.hex(12));

        assertThat(api.get("/v1/sandboxes", keyB).json().path("sandboxes").findValuesAsText("id"))
                .doesNotContain(sandboxOfA);
        assertThat(api.usage(keyB).path("sandboxes").asInt()).isZero();
        // A's sandbox is as it was: still there, same lifetime, same file, and it still runs A's jobs.
        Reply after = api.get("/v1/sandboxes/" + sandboxOfA, keyA);
        assertThat(after.status()).isEqualTo(200);
        assertThat(after.json().path("state").asText()).isEqualTo("ready");
        assertThat(after.json().path("expires_at")).isEqualTo(before.path("expires_at"));
        assertThat(api.getFile(sandboxOfA, "f.txt", keyA).body()).isEqualTo("mine");
        JsonNode job = api.runIn(keyA, sandboxOfA, "cat f.txt");
        assertThat(job.path("state").asText()).isEqualTo("succeeded");
        assertThat(job.path("stdout").asText()).isEqualTo("mine");
        assertThat(api.usage(keyA).path("sandboxes").asInt()).isEqualTo(1);
        assertThat(api.get("/v1/sandboxes", keyA).json().path("sandboxes").findValuesAsText("id"))
                .containsExactly(sandboxOfA);
    }

    /**
     * Each route answers B for A's {@code realId} with a 404 problem, and with the same body as for
     * {@code madeUpId} (which exists nowhere), so the answer does not even tell that the id exists.
     */
    private static void assertLooksMissing(Map<String, Function<String, Reply>> routes, String realId, String madeUpId) {
        routes.forEach((name, call) -> {
            Reply real = call.apply(realId);
            Reply missing = call.apply(madeUpId);
            BoxqClient.assertProblem(real, 404);
            assertThat(real.body()).as(name).doesNotContain("mine");
            assertThat(real.body()).as(name + ": same answer as for an id that does not exist")
                    .isEqualTo(missing.body().replace(madeUpId, realId));
            assertThat(real.status()).as(name).isEqualTo(missing.status());
        });
    }

    private static List<String> listedJobs(String key) {
        Reply r = api.get("/v1/jobs?limit=100", key);
        assertThat(r.status()).isEqualTo(200);
        return r.json().path("jobs").findValuesAsText("id");
    }
}
