package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The memory a container really gets is its tier's, seen from inside (the cgroup) and in the stats
 * route; the tier belongs to the user, so changing it changes every key of the user.
 */
class TierLimitsIT {
    private static final long FREE_MEMORY = 256L << 20;
    private static final long PRO_MEMORY = 1L << 30;
    private static final String READ_LIMIT =
            "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max";

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("tiers", Map.of("MAX_POOL_SIZE", "8"));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void a_free_sandbox_has_256_mib_and_after_the_user_moves_to_pro_new_containers_have_1_gib() {
        String user = TestEnvironment.unique("tess");
        JsonNode created = api.createKey(server.adminKey(), user, "free");
        String key = created.path("key").asText();

        String free = api.createSandbox(key);
        assertThat(api.get("/v1/sandboxes/" + free, key).json().path("memory_mb").asLong()).isEqualTo(256);
        assertThat(limitInside(key, free)).isEqualTo(FREE_MEMORY);
        assertStats(key, free, FREE_MEMORY);

        Reply patched = api.patch("/v1/keys/" + created.path("id").asText(), server.adminKey(), Map.of("tier", "pro"));
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertThat(api.get("/v1/quota/usage", key).json().path("tier").asText()).isEqualTo("pro");

        String pro = api.createSandbox(key);
        assertThat(api.get("/v1/sandboxes/" + pro, key).json().path("memory_mb").asLong()).isEqualTo(1024);
        assertThat(limitInside(key, pro)).isEqualTo(PRO_MEMORY);
        assertStats(key, pro, PRO_MEMORY);
        JsonNode plain = api.run(key, READ_LIMIT);
        assertThat(plain.path("stdout").asText().trim()).as("a job outside a sandbox").isEqualTo("1073741824");

        // Another key of the same user, made without a tier, has the user's tier.
        String second = api.post("/v1/keys", server.adminKey(), Map.of("user", user)).json().path("key").asText();
        JsonNode usage = api.get("/v1/quota/usage", second).json();
        assertThat(usage.path("tier").asText()).isEqualTo("pro");
        assertThat(usage.path("limits").path("memory_mb").asLong()).isEqualTo(1024);
        assertThat(usage.path("usage").path("user_sandboxes").asInt()).isEqualTo(2);
    }

    @Test
    void a_pro_key_gets_1_gib_and_a_free_key_256_mib_for_plain_jobs() {
        assertThat(api.run(server.newKey("pro"), READ_LIMIT).path("stdout").asText().trim()).isEqualTo("1073741824");
        assertThat(api.run(server.newKey("free"), READ_LIMIT).path("stdout").asText().trim()).isEqualTo("268435456");
    }

    private static long limitInside(String key, String sandbox) {
        JsonNode job = api.runIn(key, sandbox, READ_LIMIT);
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("succeeded");
        return Long.parseLong(job.path("stdout").asText().trim());
    }

    private static void assertStats(String key, String sandbox, long limit) {
        Reply r = api.get("/v1/sandboxes/" + sandbox + "/stats", key);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("sandbox_id").asText()).isEqualTo(sandbox);
        JsonNode stats = r.json().path("now"); // the figures now; "history" holds the monitor's samples
        assertThat(stats.path("memory_limit_bytes").asLong()).isEqualTo(limit);
        assertThat(stats.path("memory_bytes").asLong()).isPositive().isLessThan(limit);
        assertThat(stats.path("memory_percent").asDouble()).isBetween(0.0, 100.0);
        assertThat(stats.path("pids").asLong()).isPositive();
        assertThat(stats.has("cpu_percent")).isTrue();
        assertThat(stats.has("network_rx_bytes")).isTrue();
    }
}
