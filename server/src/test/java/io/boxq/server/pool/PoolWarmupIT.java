package io.boxq.server.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.model.Container;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import io.boxq.server.TestServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node warms {@code POOL_SIZE} containers at start, before any job asks for one: {@code /health}
 * counts them and the engine holds exactly that many with the node's label, all running. The server
 * runs no maintenance, so nothing but the start can have made them; {@code POOL_SIZE} is neither
 * {@code MIN_POOL_SIZE} nor {@code MAX_POOL_SIZE}, so neither can pass for it.
 */
class PoolWarmupIT {
    private static final int POOL_SIZE = 3;

    @RegisterExtension
    static final TestServerExtension boxq = new TestServerExtension("warmup",
            Map.of("POOL_SIZE", Integer.toString(POOL_SIZE), "MIN_POOL_SIZE", "1", "MAX_POOL_SIZE", "6"));
    private static BoxqTestServer server;

    @Test
    void right_after_start_pool_size_containers_are_warm_and_counted_on_health() {
        JsonNode pool = await("/health counts the warm pool").atMost(Duration.ofSeconds(30))
                .until(() -> server.client.get("/health", null).json().path("pool"),
                        p -> p.path("total").asInt() == POOL_SIZE);

        assertThat(pool.path("available").asInt()).as(pool.toString()).isEqualTo(POOL_SIZE);
        assertThat(pool.path("allocated").asInt()).isZero();
        assertThat(pool.path("max_capacity").asInt()).isEqualTo(6);
        List<Container> containers = TestEnvironment.containersOf(server.workerId());
        assertThat(containers).hasSize(POOL_SIZE).allSatisfy(c -> assertThat(c.getState()).isEqualTo("running"));
    }
}
