package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestServerExtension;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sandboxes end by lifetime ({@code ttl_s}), by idleness ({@code idle_timeout_s}) when the node's
 * maintenance runs, or when their owner deletes them: the sandbox leaves the live list, its quota
 * place comes back, its container is removed, and its record stays readable by its owner (state,
 * {@code ended_at}, {@code end_reason}) for {@code ENDED_SANDBOX_RETENTION_SECONDS}, while everything
 * that would act on it answers 410. Keepalive extends the lifetime, never beyond the tier's. The
 * test drives the maintenance itself ({@code shrinkIdle}, {@code sweepOrphans}) instead of waiting
 * for Quartz.
 */
class SandboxExpiryIT {
    private static final long RETENTION_SECONDS = 600;
    // A session timeout longer than the tier's lifetime: a plain keepalive runs into the ceiling.
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("expiry",
            Map.of("MAX_POOL_SIZE", "8", "SESSION_TIMEOUT_MINUTES", "120", "TIER_FREE_LIFETIME_HOURS", "1",
                    "ENDED_SANDBOX_RETENTION_SECONDS", Long.toString(RETENTION_SECONDS)));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void sandboxes_past_their_lifetime_end_expired_when_the_sweep_runs_and_give_their_places_back() {
        String key = server.newKey("free");
        String first = api.createSandbox(key, Map.of("ttl_s", 2));
        String second = api.createSandbox(key, Map.of("ttl_s", 2));
        String firstContainer = server.containerOf(first);
        String secondContainer = server.containerOf(second);
        assertThat(api.usage(key).path("sandboxes").asInt()).isEqualTo(2);
        BoxqClient.assertProblem(api.post("/v1/sandboxes", key, Map.of()), 429);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            server.node().sweepOrphans();
            assertThat(state(key, first)).isEqualTo("expired");
            assertThat(state(key, second)).isEqualTo("expired");
        });

        JsonNode ended = assertEnded(key, first, firstContainer, "expired");
        assertThat(ended.path("end_reason").asText()).isEqualTo("lifetime ended");
        assertEnded(key, second, secondContainer, "expired");
        assertThat(ids(api.get("/v1/sandboxes?state=ended", key).json())).containsExactlyInAnyOrder(first, second);
        String third = api.createSandbox(key, Map.of());
        String fourth = api.createSandbox(key, Map.of());
        assertThat(ids(api.get("/v1/sandboxes", key).json())).containsExactlyInAnyOrder(third, fourth);
        assertThat(ids(api.get("/v1/sandboxes?state=all", key).json()))
                .containsExactlyInAnyOrder(first, second, third, fourth);
        BoxqClient.assertFieldError(api.get("/v1/sandboxes?state=dead", key), "state");
        assertThat(api.delete("/v1/sandboxes/" + third, key).status()).isEqualTo(204);
        assertThat(api.delete("/v1/sandboxes/" + fourth, key).status()).isEqualTo(204);
    }

    @Test
    void a_sandbox_idle_past_its_idle_timeout_ends_when_the_shrink_runs() {
        String key = server.newKey("free");
        String sandbox = api.createSandbox(key, Map.of("idle_timeout_s", 2));
        String container = server.containerOf(sandbox);
        assertThat(api.get("/v1/sandboxes/" + sandbox, key).json().path("idle_timeout_s").asInt()).isEqualTo(2);
        assertThat(api.runIn(key, sandbox, "echo busy").path("state").asText()).isEqualTo("succeeded");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            server.node().shrinkIdle();
            assertThat(state(key, sandbox)).isEqualTo("expired");
        });

        JsonNode ended = assertEnded(key, sandbox, container, "expired");
        assertThat(ended.path("end_reason").asText()).isEqualTo("idle for 2 s");
    }

    @Test
    void a_sandbox_running_a_job_longer_than_its_idle_timeout_is_not_idle() {
        String key = server.newKey("free");
        String sandbox = api.createSandbox(key, Map.of("idle_timeout_s", 1));
        String job = api.submit(key, Map.of("command", "sleep 6; echo done", "sandbox_id", sandbox)).path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/jobs/" + job, key).json().path("state").asText(),
                "running"::equals);

        // The job runs on, well past the idle timeout, while the shrink runs every 300 ms for 3 s (and
        // stops before the job ends): the sandbox stays ready all along.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    server.node().shrinkIdle();
                    return state(key, sandbox);
                }, "ready"::equals);

        JsonNode ended = api.awaitEnd(key, job);
        assertThat(ended.path("state").asText()).as(ended.toString()).isEqualTo("succeeded");
        assertThat(ended.path("stdout").asText()).isEqualTo("done\n");
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
    }

    @Test
    void a_deleted_sandbox_reads_deleted_and_cannot_be_used_or_deleted_again() {
        String key = server.newKey("free");
        String sandbox = api.createSandbox(key, Map.of());
        String container = server.containerOf(sandbox);
        assertThat(api.runIn(key, sandbox, "echo hi > note").path("state").asText()).isEqualTo("succeeded");

        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);

        JsonNode ended = assertEnded(key, sandbox, container, "deleted");
        assertThat(ended.path("end_reason").asText()).isEqualTo("deleted by its owner");
        assertThat(api.get("/v1/audit?limit=500", server.adminKey()).json().path("entries")).anySatisfy(e -> {
            assertThat(e.path("action").asText()).isEqualTo("sandbox.destroyed");
            assertThat(e.path("target").asText()).isEqualTo(sandbox);
        });
    }

    @Test
    void while_a_job_runs_stats_answer_without_waiting_for_it_and_delete_cancels_it_and_the_jobs_behind_it() {
        String key = server.newKey("pro");
        String sandbox = api.createSandbox(key, Map.of());
        String container = server.containerOf(sandbox);
        String running = api.submit(key, Map.of("command", "echo started; sleep 120", "sandbox_id", sandbox))
                .path("id").asText();
        String waiting = api.submit(key, Map.of("command", "echo never", "sandbox_id", sandbox)).path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/v1/jobs/" + running, key).json()
                .path("state").asText(), "running"::equals);

        Reply stats = api.get("/v1/sandboxes/" + sandbox + "/stats", key);
        assertThat(stats.status()).as(stats.toString()).isEqualTo(200);
        assertThat(stats.json().path("now").path("memory_bytes").asLong()).isPositive();
        assertThat(api.get("/v1/jobs/" + running, key).json().path("state").asText())
                .as("the stats came while the job still ran").isEqualTo("running");

        Reply deleted = api.delete("/v1/sandboxes/" + sandbox, key);

        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        JsonNode killed = api.awaitEnd(key, running);
        assertThat(killed.path("state").asText()).as(killed.toString()).isEqualTo("cancelled");
        assertThat(killed.path("stdout").asText()).isEqualTo("started\n");
        JsonNode behind = api.awaitEnd(key, waiting);
        assertThat(behind.path("state").asText()).as(behind.toString()).isEqualTo("cancelled");
        assertEnded(key, sandbox, container, "deleted");
    }

    @Test
    void keepalive_extends_the_lifetime_but_never_beyond_the_tiers() {
        String key = server.newKey("free");
        String sandbox = api.createSandbox(key, Map.of("ttl_s", 60));
        JsonNode before = api.get("/v1/sandboxes/" + sandbox, key).json();
        Instant expires = instant(before, "expires_at");
        Instant ceiling = instant(before, "max_expires_at");
        assertThat(ceiling).isEqualTo(instant(before, "created_at").plus(Duration.ofHours(1)));
        assertThat(expires).isBefore(ceiling);

        Reply extended = api.post("/v1/sandboxes/" + sandbox + "/keepalive", key, Map.of());

        assertThat(extended.status()).as(extended.toString()).isEqualTo(200);
        Instant now = instant(extended.json(), "expires_at");
        assertThat(now).isAfter(expires).isBeforeOrEqualTo(ceiling).isAfter(ceiling.minus(Duration.ofMinutes(1)));
        assertThat(instant(extended.json(), "max_expires_at")).isEqualTo(ceiling);

        Reply tooLong = api.post("/v1/sandboxes/" + sandbox + "/keepalive", key, Map.of("ttl_s", 7200));
        BoxqClient.assertFieldError(tooLong, "ttl_s");
        JsonNode after = api.get("/v1/sandboxes/" + sandbox, key).json();
        assertThat(instant(after, "expires_at")).isBeforeOrEqualTo(ceiling);
        assertThat(instant(after, "max_expires_at")).isEqualTo(ceiling);

        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
    }

    /**
     * Readable by its owner as {@code state} (with when and why it ended), out of the live list, its
     * place given back, its container removed, its record bounded by a TTL, every action on it a 410
     * naming how it ended, another key's 404 as before, and (ended by the node) audited.
     * Returns the owner's view of it.
     */
    private static JsonNode assertEnded(String key, String sandbox, String container, String state) {
        if (!state.equals("deleted")) {
            Reply audit = api.get("/v1/audit?limit=500", server.adminKey());
            assertThat(audit.json().path("entries")).as(audit.toString()).anySatisfy(e -> {
                assertThat(e.path("action").asText()).isEqualTo("sandbox.destroyed");
                assertThat(e.path("target").asText()).isEqualTo(sandbox);
                assertThat(e.path("actor").asText()).isEqualTo("system");
            });
        }
        Reply read = api.get("/v1/sandboxes/" + sandbox, key);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        JsonNode view = read.json();
        assertThat(view.path("id").asText()).isEqualTo(sandbox);
        assertThat(view.path("state").asText()).isEqualTo(state);
        assertThat(instant(view, "ended_at")).isAfter(instant(view, "created_at")).isBeforeOrEqualTo(Instant.now());
        assertThat(view.path("end_reason").asText()).isNotBlank();
        assertThat(ids(api.get("/v1/sandboxes", key).json())).doesNotContain(sandbox);
        assertThat(ids(api.get("/v1/sandboxes?state=ended", key).json())).contains(sandbox);
        assertThat(api.usage(key).path("sandboxes").asInt()).isZero();
        assertThat(api.usage(key).path("user_sandboxes").asInt()).isZero();
        assertThat(server.sandboxRecordTtlSeconds(sandbox)).as("record TTL").isBetween(1L, RETENTION_SECONDS);

        String path = "/v1/sandboxes/" + sandbox;
        for (Reply acting : List.of(api.post("/v1/jobs", key, Map.of("command", "true", "sandbox_id", sandbox)),
                api.post(path + "/keepalive", key, Map.of()), api.delete(path, key),
                api.get(path + "/stats", key), api.getFile(sandbox, "note", key),
                api.putFile(sandbox, "note", key, "x".getBytes(StandardCharsets.UTF_8)))) {
            JsonNode problem = BoxqClient.assertProblem(acting, 410);
            assertThat(problem.path("type").asText()).endsWith("/sandbox-ended");
            assertThat(problem.path("detail").asText()).contains(sandbox, state, view.path("end_reason").asText());
        }
        assertThat(api.get(path, key).json().path("state").asText()).as("a second delete changes nothing")
                .isEqualTo(state);

        String other = server.newKey("free");
        BoxqClient.assertProblem(api.get(path, other), 404);
        BoxqClient.assertProblem(api.delete(path, other), 404);
        BoxqClient.assertProblem(api.post("/v1/jobs", other, Map.of("command", "true", "sandbox_id", sandbox)), 404);
        assertThat(ids(api.get("/v1/sandboxes?state=all", other).json())).isEmpty();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(BoxqTestServer.containerExists(container)).as("container %s", container).isFalse());
        return view;
    }

    private static String state(String key, String sandbox) {
        Reply r = api.get("/v1/sandboxes/" + sandbox, key);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json().path("state").asText();
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("sandboxes").forEach(s -> ids.add(s.path("id").asText()));
        return ids;
    }

    private static Instant instant(JsonNode node, String field) {
        return Instant.parse(node.path(field).asText());
    }
}
