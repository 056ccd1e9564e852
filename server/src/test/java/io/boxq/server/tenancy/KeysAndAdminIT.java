package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API keys and the admin API: a revoked key stops at once, non-admin keys get 403 on admin routes,
 * and the admin sees nodes and sandboxes, the audit trail, and can run the sweeps now.
 */
class KeysAndAdminIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("admin", Map.of("MAX_POOL_SIZE", "8"));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void a_revoked_key_gets_401_on_its_very_next_request() {
        JsonNode created = api.createKey(server.adminKey(), TestEnvironment.unique("rita"), "free");
        String key = created.path("key").asText();
        String id = created.path("id").asText();
        assertThat(api.get("/v1/sandboxes", key).status()).isEqualTo(200);

        assertThat(api.delete("/v1/keys/" + id, server.adminKey()).status()).isEqualTo(204);

        BoxqClient.assertProblem(api.get("/v1/sandboxes", key), 401);
        BoxqClient.assertProblem(api.send(api.request("/v1/quota/usage", null).header("X-API-Key", key).GET()), 401);
        BoxqClient.assertProblem(api.post("/v1/jobs", key, Map.of("command", "true")), 401);
        assertThat(api.get("/v1/keys", server.adminKey()).json().path("keys").findValuesAsText("id")).doesNotContain(id);
        BoxqClient.assertProblem(api.delete("/v1/keys/" + id, server.adminKey()), 404);
    }

    @Test
    void revoking_a_key_cancels_its_jobs_and_ends_its_sandboxes_so_its_user_gets_the_places_back() {
        String user = TestEnvironment.unique("rex");
        JsonNode created = api.createKey(server.adminKey(), user, "free");
        String key = created.path("key").asText();
        String sandbox = api.createSandbox(key);
        String container = server.containerOf(sandbox);
        String inSandbox = api.submit(key, Map.of("command", "sleep 120", "sandbox_id", sandbox)).path("id").asText();
        String running = api.submit(key, Map.of("command", "sleep 120")).path("id").asText();
        String waiting = api.submit(key, Map.of("command", "echo never")).path("id").asText();
        await().atMost(Duration.ofSeconds(30)).until(() -> server.jobState(inSandbox).equals("running")
                && server.jobState(running).equals("running"));
        assertThat(server.jobState(waiting)).as("beyond the free tier's 2 slots").isEqualTo("queued");

        assertThat(api.delete("/v1/keys/" + created.path("id").asText(), server.adminKey()).status()).isEqualTo(204);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(server.jobState(inSandbox)).isEqualTo("cancelled");
            assertThat(server.jobState(running)).isEqualTo("cancelled");
            assertThat(server.jobState(waiting)).isEqualTo("cancelled");
        });
        await("the sandbox's container removed (the pool removes it in the background)").atMost(Duration.ofSeconds(30))
                .until(() -> !BoxqTestServer.containerExists(container));
        String other = api.post("/v1/keys", server.adminKey(), Map.of("user", user)).json().path("key").asText();
        assertThat(api.usage(other).path("user_sandboxes").asInt()).as("the user's places came back").isZero();
        assertThat(audit()).anySatisfy(e -> {
            assertThat(e.path("action").asText()).isEqualTo("key.revoked");
            assertThat(e.path("target").asText()).isEqualTo(created.path("id").asText());
            assertThat(e.path("details").path("sandboxes_ended").asText()).isEqualTo("1");
        });
    }

    @Test
    void a_non_admin_key_gets_403_on_every_admin_route_and_changes_nothing() {
        JsonNode created = api.createKey(server.adminKey(), TestEnvironment.unique("nadia"), "free");
        String key = created.path("key").asText();
        String id = created.path("id").asText();
        Map<String, Function<String, Reply>> routes = new LinkedHashMap<>();
        routes.put("GET /v1/keys", k -> api.get("/v1/keys", k));
        routes.put("POST /v1/keys", k -> api.post("/v1/keys", k, Map.of("user", "mallory", "tier", "enterprise")));
        routes.put("PATCH /v1/keys/{id}", k -> api.patch("/v1/keys/" + id, k, Map.of("tier", "enterprise")));
        routes.put("DELETE /v1/keys/{id}", k -> api.delete("/v1/keys/" + id, k));
        routes.put("GET /v1/system/stats", k -> api.get("/v1/system/stats", k));
        routes.put("POST /v1/system/cleanup", k -> api.post("/v1/system/cleanup", k, Map.of()));
        routes.put("GET /v1/audit", k -> api.get("/v1/audit", k));

        routes.forEach((route, call) -> {
            Reply r = call.apply(key);
            assertThat(r.status()).as(route).isEqualTo(403);
            BoxqClient.assertProblem(r, 403);
        });

        JsonNode usage = api.get("/v1/quota/usage", key).json();
        assertThat(usage.path("tier").asText()).isEqualTo("free");
        assertThat(api.get("/v1/keys", server.adminKey()).json().path("keys").findValuesAsText("user"))
                .doesNotContain("mallory");
    }

    @Test
    void a_patch_changes_the_limits_it_names_keeps_the_others_and_null_returns_one_to_the_tier() {
        Reply created = api.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("lim"), "tier",
                "free", "memory_mb", 512, "concurrent_jobs", 3));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String id = created.json().path("id").asText();

        JsonNode limits = api.patch("/v1/keys/" + id, server.adminKey(), Map.of("concurrent_jobs", 5)).json()
                .path("limits");
        assertThat(limits.path("concurrent_jobs").asInt()).isEqualTo(5);
        assertThat(limits.path("memory_mb").asInt()).as("an override the PATCH did not name").isEqualTo(512);

        limits = api.send(api.request("/v1/keys/" + id, server.adminKey()).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"memory_mb\": null}"))).json().path("limits");
        assertThat(limits.path("memory_mb").asInt()).as("back to the free tier's").isEqualTo(256);
        assertThat(limits.path("concurrent_jobs").asInt()).isEqualTo(5);
    }

    @Test
    void the_admin_keys_user_name_cannot_be_given_to_a_key() {
        BoxqClient.assertFieldError(api.post("/v1/keys", server.adminKey(), Map.of("user", "admin")), "user");
    }

    @Test
    void system_stats_show_the_node_and_count_sandboxes() {
        String key = server.newKey("free");
        long before = systemStats().path("sandboxes").path("total").asLong();

        String sandbox = api.createSandbox(key);
        JsonNode stats = systemStats();

        assertThat(stats.path("nodes").findValuesAsText("worker_id")).contains(server.workerId());
        assertThat(stats.path("sandboxes").path("total").asLong()).isEqualTo(before + 1);
        assertThat(stats.path("sandboxes").path("max").asInt()).isEqualTo(100);
        assertThat(stats.has("queue_depth")).isTrue();
        assertThat(stats.has("backlogs")).isTrue();
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
        assertThat(systemStats().path("sandboxes").path("total").asLong()).isEqualTo(before);
    }

    @Test
    void system_stats_count_jobs_by_state_exactly_and_not_sandbox_operations() {
        Reply created = api.post("/v1/keys", server.adminKey(), Map.of("user", TestEnvironment.unique("stella"),
                "tier", "free", "concurrent_jobs", 1));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String key = created.json().path("key").asText();
        JsonNode before = systemStats().path("jobs_by_state");
        assertThat(fieldNames(before)).containsExactly("queued", "running", "succeeded", "failed", "timed_out",
                "cancelled", "error");

        assertThat(api.run(key, "true").path("state").asText()).isEqualTo("succeeded");
        assertThat(api.run(key, "true").path("state").asText()).isEqualTo("succeeded");
        assertThat(api.run(key, "exit 3").path("state").asText()).isEqualTo("failed");
        String sandbox = api.createSandbox(key);
        assertThat(api.runIn(key, sandbox, "echo kept > f && cat f").path("state").asText()).isEqualTo("succeeded");
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
        String blocker = api.submit(key, Map.of("command", "sleep 60", "timeout_s", 90)).path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get("/v1/jobs/" + blocker, key).json()
                .path("state").asText().equals("running"));
        String waiting = api.submit(key, Map.of("command", "true")).path("id").asText();
        String dropped = api.submit(key, Map.of("command", "true")).path("id").asText();
        assertThat(api.post("/v1/jobs/" + dropped + "/cancel", key, Map.of()).status()).isLessThan(300);

        assertThat(movedSince(before)).containsExactlyInAnyOrderEntriesOf(Map.of("queued", 1L, "running", 1L,
                "succeeded", 3L, "failed", 1L, "timed_out", 0L, "cancelled", 1L, "error", 0L));

        assertThat(api.post("/v1/jobs/" + blocker + "/cancel", key, Map.of()).status()).isLessThan(300);
        assertThat(api.awaitEnd(key, blocker).path("state").asText()).isEqualTo("cancelled");
        assertThat(api.awaitEnd(key, waiting).path("state").asText()).isEqualTo("succeeded");

        assertThat(movedSince(before)).containsExactlyInAnyOrderEntriesOf(Map.of("queued", 0L, "running", 0L,
                "succeeded", 4L, "failed", 1L, "timed_out", 0L, "cancelled", 2L, "error", 0L));
    }

    /** How far each count of {@code jobs_by_state} moved since {@code before}. */
    private static Map<String, Long> movedSince(JsonNode before) {
        Map<String, Long> moved = new LinkedHashMap<>();
        systemStats().path("jobs_by_state").properties().forEach(e ->
                moved.put(e.getKey(), e.getValue().asLong() - before.path(e.getKey()).asLong()));
        return moved;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void the_audit_stream_records_keys_tiers_sandboxes_and_admin_actions_and_pages() {
        JsonNode created = api.createKey(server.adminKey(), TestEnvironment.unique("audrey"), "free");
        String key = created.path("key").asText();
        String keyId = created.path("id").asText();
        String sandbox = api.createSandbox(key);
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
        assertThat(api.patch("/v1/keys/" + keyId, server.adminKey(), Map.of("tier", "pro")).status()).isEqualTo(200);
        assertThat(api.delete("/v1/keys/" + keyId, server.adminKey()).status()).isEqualTo(204);

        List<JsonNode> entries = audit();

        assertThat(has(entries, "key.created", keyId, "admin")).isTrue();
        assertThat(has(entries, "sandbox.created", sandbox, keyId)).isTrue();
        assertThat(has(entries, "sandbox.destroyed", sandbox, keyId)).isTrue();
        assertThat(has(entries, "tier.changed", created.path("user").asText(), "admin")).isTrue();
        assertThat(has(entries, "key.revoked", keyId, "admin")).isTrue();
        assertThat(entries.toString()).doesNotContain(key);

        JsonNode first = api.get("/v1/audit?limit=1", server.adminKey()).json();
        assertThat(first.path("entries")).hasSize(1);
        String cursor = first.path("next_cursor").asText();
        assertThat(cursor).isEqualTo(first.path("entries").get(0).path("id").asText());
        JsonNode second = api.get("/v1/audit?limit=1&cursor=" + cursor, server.adminKey()).json();
        assertThat(second.path("entries")).hasSize(1);
        assertThat(second.path("entries").get(0).path("id").asText()).isNotEqualTo(cursor);

        for (String bad : List.of("x", "1", "99999999999999999999-0", "9223372036854775808-1", "1-99999999999999999999")) {
            BoxqClient.assertFieldError(api.get("/v1/audit?cursor=" + bad, server.adminKey()), "cursor");
        }
    }

    @Test
    void cleanup_runs_the_sweeps_on_every_node_now_and_reports_what_they_removed() {
        String key = server.newKey("free");
        String sandbox = api.createSandbox(key, Map.of("ttl_s", 1));
        Instant expires = Instant.parse(api.get("/v1/sandboxes/" + sandbox, key).json().path("expires_at").asText());
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expires));

        Reply r = api.post("/v1/system/cleanup", server.adminKey(), Map.of());

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("nodes_asked").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(body.path("nodes_answered").asInt()).isGreaterThanOrEqualTo(1);
        assertThat(body.path("per_node").has(server.workerId())).isTrue();
        assertThat(body.path("removed").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(api.get("/v1/sandboxes/" + sandbox, key).json().path("state").asText()).isEqualTo("expired");
        assertThat(api.usage(key).path("sandboxes").asInt()).isZero();
        assertThat(has(audit(), "system.cleanup", null, "admin")).isTrue();
    }

    private static JsonNode systemStats() {
        Reply r = api.get("/v1/system/stats", server.adminKey());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    private static List<JsonNode> audit() {
        Reply r = api.get("/v1/audit?limit=500", server.adminKey());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        r.json().path("entries").forEach(entries::add);
        return entries;
    }

    /** Whether an entry has {@code action}, {@code actor} and (unless null) {@code target}. */
    private static boolean has(List<JsonNode> entries, String action, String target, String actor) {
        return entries.stream().anyMatch(e -> e.path("action").asText().equals(action)
                && (target == null || e.path("target").asText().equals(target))
                && e.path("actor").asText().equals(actor));
    }
}
