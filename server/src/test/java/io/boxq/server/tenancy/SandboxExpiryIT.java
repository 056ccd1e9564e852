package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.tenancy.Api.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sandboxes end by lifetime ({@code ttl_s}) and by idleness ({@code idle_timeout_s}) when the node's
 * maintenance runs: the sandbox is gone from the API, its quota place comes back, its container is
 * removed. Keepalive extends the lifetime, never beyond the tier's. The test drives the maintenance
 * itself ({@code shrinkIdle}, {@code sweepOrphans}) instead of waiting for Quartz.
 */
class SandboxExpiryIT {
    private static TenancyServer server;
    private static Api api;

    @BeforeAll
    static void startServer() {
        // A session timeout longer than the tier's lifetime: a plain keepalive runs into the ceiling.
        server = TenancyServer.start("expiry", Map.of("SESSION_TIMEOUT_MINUTES", "120", "TIER_FREE_LIFETIME_HOURS", "1"));
        api = server.api;
    }

    @AfterAll
    static void stopServer() {
        server.stopAndCheck();
    }

    @Test
    void a_sandbox_past_its_lifetime_ends_when_the_sweep_runs() {
        String key = server.newKey("free");
        String sandbox = api.createSandbox(key, Map.of("ttl_s", 2));
        String container = server.containerOf(sandbox);
        assertThat(api.usage(key).path("sandboxes").asInt()).isEqualTo(1);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            server.node().sweepOrphans();
            Api.assertProblem(api.get("/v1/sandboxes/" + sandbox, key), 404);
        });

        assertEnded(key, sandbox, container);
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
            Api.assertProblem(api.get("/v1/sandboxes/" + sandbox, key), 404);
        });

        assertEnded(key, sandbox, container);
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
        Api.assertFieldError(tooLong, "ttl_s");
        JsonNode after = api.get("/v1/sandboxes/" + sandbox, key).json();
        assertThat(instant(after, "expires_at")).isBeforeOrEqualTo(ceiling);
        assertThat(instant(after, "max_expires_at")).isEqualTo(ceiling);

        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
    }

    /** Gone from the API, its place given back, its container removed, no job can name it, and audited. */
    private static void assertEnded(String key, String sandbox, String container) {
        Reply audit = api.get("/v1/audit?limit=500", server.adminKey());
        assertThat(audit.json().path("entries")).as(audit.toString()).anySatisfy(e -> {
            assertThat(e.path("action").asText()).isEqualTo("sandbox.destroyed");
            assertThat(e.path("target").asText()).isEqualTo(sandbox);
            assertThat(e.path("actor").asText()).isEqualTo("system");
        });
        assertThat(api.get("/v1/sandboxes", key).json().path("sandboxes")).isEmpty();
        assertThat(api.usage(key).path("sandboxes").asInt()).isZero();
        assertThat(api.usage(key).path("user_sandboxes").asInt()).isZero();
        Api.assertProblem(api.post("/v1/jobs", key, Map.of("command", "true", "sandbox_id", sandbox)), 404);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(TenancyServer.containerExists(container)).as("container %s", container).isFalse());
    }

    private static Instant instant(JsonNode node, String field) {
        return Instant.parse(node.path(field).asText());
    }
}
