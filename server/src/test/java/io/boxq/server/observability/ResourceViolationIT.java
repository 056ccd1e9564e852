package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
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

/**
 * The resource monitor against real sandboxes at the seed's thresholds (memory 90 / 95 % of the
 * limit, CPU 90 % of the quota for 2 samples, workspace 80 %). The test calls the node's monitor
 * itself, so nothing depends on the scheduler's timing.
 */
class ResourceViolationIT {
    /** Fills the container's memory (as its cgroup counts it) to a share of its limit and holds it. */
    private static final String FILL = """
            python3 -c '
            import sys, time
            def first(paths):
                for p in paths:
                    try:
                        return int(open(p).read().split()[0])
                    except Exception:
                        pass
            limit = first(["/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory.max"])
            used = first(["/sys/fs/cgroup/memory/memory.usage_in_bytes", "/sys/fs/cgroup/memory.current"])
            held = b"x" * int(limit * float(sys.argv[1]) - used)
            time.sleep(600)
            ' %s
            """;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("violations", Map.of());
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void a_sandbox_filling_96_percent_of_its_memory_is_terminated_and_shows_why_and_its_job_ends_error_with_the_reason() {
        String key = newKey();
        String sandbox = sandbox(key, TestEnvironment.BOOKWORM);
        Scrape before = Scrape.of(api);
        String job = api.submit(key, Map.of("command", FILL.formatted("0.965"), "sandbox_id", sandbox,
                "timeout_s", 300)).path("id").asText();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            server.node().monitorResources();
            return api.get("/v1/sandboxes/" + sandbox, key).json().path("state").asText().equals("terminated");
        });

        JsonNode ended = api.awaitEnd(key, job);
        assertThat(ended.path("state").asText()).isEqualTo("error");
        assertThat(ended.path("error").asText()).contains("terminated", "memory at", "of its memory limit",
                "critical at 95%");
        JsonNode violation = auditEntry("sandbox.resource_violation", sandbox, "memory");
        assertThat(violation.path("details").path("kind").asText()).isEqualTo("memory");
        assertThat(violation.path("details").path("level").asText()).isEqualTo("critical");
        assertThat(violation.path("details").path("outcome").asText()).isEqualTo("terminated");
        assertThat(Double.parseDouble(violation.path("details").path("percent").asText())).isGreaterThanOrEqualTo(95);
        assertThat(violation.path("details").path("key_id").asText()).isEqualTo(keyId(key));
        assertThat(auditEntry("sandbox.destroyed", sandbox).path("details").path("reason").asText())
                .contains("memory at");
        assertThat(Scrape.of(api).value("boxq_resource_violations_total", "kind", "memory", "level", "critical")
                - before.value("boxq_resource_violations_total", "kind", "memory", "level", "critical")).isEqualTo(1);
        assertThat(api.get("/v1/sandboxes", key).json().path("sandboxes")).isEmpty();
        assertTerminatedSandboxShowsWhy(key, sandbox);
        assertThat(api.get("/v1/quota/usage", key).json().path("usage").path("sandboxes").asInt())
                .as("its place is given back").isZero();
        for (String fresh : List.of(sandbox(key, TestEnvironment.BUSYBOX), sandbox(key, TestEnvironment.BUSYBOX))) {
            assertThat(api.delete("/v1/sandboxes/" + fresh, key).status()).isEqualTo(204);
        }
        try (Redis redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 2)) {
            boolean history = redis.call(j -> j.exists(redis.keys().sandboxStats(sandbox)));
            assertThat(history).as("history deleted").isFalse();
        }
        assertThat(server.node().poolStats().sandboxes()).isZero();
    }

    @Test
    void memory_at_92_percent_is_a_warning_shown_on_the_sandbox_which_lives_on() {
        String key = newKey();
        String sandbox = sandbox(key, TestEnvironment.BOOKWORM);
        String job = api.submit(key, Map.of("command", FILL.formatted("0.925"), "sandbox_id", sandbox,
                "timeout_s", 300)).path("id").asText();

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            server.node().monitorResources();
            return kinds(api.get("/v1/sandboxes/" + sandbox, key).json()).contains("memory");
        });

        JsonNode view = api.get("/v1/sandboxes/" + sandbox, key).json();
        assertThat(view.path("state").asText()).isEqualTo("ready");
        JsonNode warning = memoryViolations(view).get(0);
        assertThat(warning.path("kind").asText()).isEqualTo("memory");
        assertThat(warning.path("level").asText()).isEqualTo("warning");
        assertThat(warning.path("threshold").asInt()).isEqualTo(90);
        assertThat(warning.path("percent").asDouble()).isBetween(90.0, 95.0);
        assertThat(warning.path("action").asText()).isEqualTo("recorded");
        JsonNode audited = auditEntry("sandbox.resource_violation", sandbox, "memory");
        assertThat(audited.path("details").path("level").asText()).isEqualTo("warning");
        assertThat(audited.path("details").path("outcome").asText()).isEqualTo("recorded");
        assertThat(Scrape.of(api).value("boxq_resource_violations_total", "kind", "memory", "level", "warning"))
                .isGreaterThanOrEqualTo(1);

        server.node().monitorResources();
        assertThat(memoryViolations(api.get("/v1/sandboxes/" + sandbox, key).json())).as("warned once").hasSize(1);
        assertThat(api.post("/v1/jobs/" + job + "/cancel", key, "").status()).isEqualTo(200);
        assertThat(api.awaitEnd(key, job).path("state").asText()).isEqualTo("cancelled");
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
    }

    @Test
    void cpu_sustained_over_the_quota_and_a_full_workspace_are_warnings() {
        String key = newKey();
        String sandbox = sandbox(key, TestEnvironment.BUSYBOX);
        Scrape before = Scrape.of(api);
        JsonNode started = api.run(key, Map.of("sandbox_id", sandbox, "command",
                "dd if=/dev/zero of=/workspace/fill bs=1M count=110 2>/dev/null;"
                        + " sh -c 'while :; do :; done' >/dev/null 2>&1 &"));
        assertThat(started.path("state").asText()).as(started.toString()).isEqualTo("succeeded");

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(700)).until(() -> {
            server.node().monitorResources();
            return kinds(api.get("/v1/sandboxes/" + sandbox, key).json()).containsAll(List.of("cpu", "disk"));
        });

        JsonNode view = api.get("/v1/sandboxes/" + sandbox, key).json();
        assertThat(kinds(view)).doesNotContain("memory");
        for (JsonNode v : view.path("violations")) {
            assertThat(v.path("level").asText()).isEqualTo("warning");
            assertThat(v.path("threshold").asInt()).isEqualTo(v.path("kind").asText().equals("cpu") ? 90 : 80);
        }
        Scrape after = Scrape.of(api);
        for (String kind : List.of("cpu", "disk")) {
            assertThat(after.value("boxq_resource_violations_total", "kind", kind, "level", "warning")
                    - before.value("boxq_resource_violations_total", "kind", kind, "level", "warning")).isEqualTo(1);
        }
        assertThat(view.path("state").asText()).isEqualTo("ready");
        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
    }

    /** The ended sandbox says it was terminated, when, why and for which violation; acting on it is a 410. */
    private static void assertTerminatedSandboxShowsWhy(String key, String sandbox) {
        Reply read = api.get("/v1/sandboxes/" + sandbox, key);
        assertThat(read.status()).as(read.body()).isEqualTo(200);
        JsonNode view = read.json();
        assertThat(view.path("state").asText()).isEqualTo("terminated");
        assertThat(view.path("ended_at").asText()).isNotBlank();
        assertThat(view.path("end_reason").asText()).startsWith("memory at").contains("of its memory limit",
                "critical at 95%");
        JsonNode critical = memoryViolations(view).getLast();
        assertThat(critical.path("level").asText()).isEqualTo("critical");
        assertThat(critical.path("threshold").asInt()).isEqualTo(95);
        assertThat(critical.path("percent").asDouble()).isGreaterThanOrEqualTo(95);
        assertThat(critical.path("action").asText()).isEqualTo("terminated");
        assertThat(api.get("/v1/sandboxes?state=ended", key).json().path("sandboxes").findValuesAsText("id"))
                .contains(sandbox);
        Reply job = api.post("/v1/jobs", key, Map.of("command", "true", "sandbox_id", sandbox));
        assertThat(job.status()).as(job.body()).isEqualTo(410);
        assertThat(job.contentType()).startsWith("application/problem+json");
        assertThat(job.json().path("detail").asText()).contains("terminated", "memory at");
        Reply other = api.get("/v1/sandboxes/" + sandbox, newKey());
        assertThat(other.status()).as("another key").isEqualTo(404);
    }

    private static List<JsonNode> memoryViolations(JsonNode sandboxView) {
        List<JsonNode> memory = new ArrayList<>();
        sandboxView.path("violations").forEach(v -> {
            if (v.path("kind").asText().equals("memory")) {
                memory.add(v);
            }
        });
        return memory;
    }

    private static List<String> kinds(JsonNode sandboxView) {
        List<String> kinds = new ArrayList<>();
        sandboxView.path("violations").forEach(v -> kinds.add(v.path("kind").asText()));
        return kinds;
    }

    private static String newKey() {
        return api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
    }

    private static String keyId(String key) {
        return api.get("/v1/quota/usage", key).json().path("key_id").asText();
    }

    private static String sandbox(String key, String image) {
        Reply r = api.post("/v1/sandboxes", key, Map.of("image", image));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asText();
    }

    /** The newest audit entry of {@code action} on {@code target}. */
    private static JsonNode auditEntry(String action, String target) {
        return auditEntry(action, target, null);
    }

    /** The newest audit entry of {@code action} on {@code target} (of violation {@code kind}, unless null). */
    private static JsonNode auditEntry(String action, String target, String kind) {
        JsonNode entries = api.get("/v1/audit?limit=500", server.adminKey()).json().path("entries");
        for (JsonNode e : entries) {
            if (e.path("action").asText().equals(action) && e.path("target").asText().equals(target)
                    && (kind == null || kind.equals(e.path("details").path("kind").asText()))) {
                return e;
            }
        }
        throw new AssertionError("no audit entry " + action + " for " + target + " in " + entries);
    }
}
