package io.boxq.server.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ceilings under the tier: per API key, per user across keys, and for the whole system. Each
 * refusal is a 429 problem naming the limit that was hit, while the tier (free: 2) would still allow.
 */
class SandboxCeilingsIT {
    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("ceilings",
            Map.of("MAX_POOL_SIZE", "8", "MAX_SANDBOXES_PER_API_KEY", "1", "MAX_SANDBOXES_PER_USER", "1", "MAX_TOTAL_SANDBOXES", "2"));
    private static BoxqTestServer server;
    private static BoxqClient api;

    @Test
    void each_ceiling_refuses_with_a_problem_naming_it() {
        String user = TestEnvironment.unique("ursula");
        String firstKey = api.createKey(server.adminKey(), user, "free").path("key").asText();
        String secondKey = api.createKey(server.adminKey(), user, "free").path("key").asText();
        List<String> held = new ArrayList<>();

        held.add(api.createSandbox(firstKey));
        assertLimit(api.post("/v1/sandboxes", firstKey, Map.of()), "api_key");
        assertLimit(api.post("/v1/sandboxes", secondKey, Map.of()), "user");

        String other = server.newKey("free");
        held.add(api.createSandbox(other));
        assertLimit(api.post("/v1/sandboxes", server.newKey("free"), Map.of()), "system");

        assertThat(api.usage(firstKey).path("sandboxes").asInt()).isEqualTo(1);
        assertThat(api.usage(secondKey).path("sandboxes").asInt()).isZero();
        assertThat(api.usage(secondKey).path("user_sandboxes").asInt()).isEqualTo(1);
        assertThat(api.delete("/v1/sandboxes/" + held.get(0), firstKey).status()).isEqualTo(204);
        // A place given back is a place to take.
        held.set(0, api.createSandbox(secondKey));
        assertThat(api.delete("/v1/sandboxes/" + held.get(0), secondKey).status()).isEqualTo(204);
        assertThat(api.delete("/v1/sandboxes/" + held.get(1), other).status()).isEqualTo(204);
        assertThat(api.usage(firstKey).path("user_sandboxes").asInt()).isZero();
    }

    private static void assertLimit(Reply r, String limit) {
        assertThat(BoxqClient.assertProblem(r, 429).path("limit").asText()).as(r.toString()).isEqualTo(limit);
    }
}
