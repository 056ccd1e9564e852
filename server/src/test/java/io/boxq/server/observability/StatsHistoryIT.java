package io.boxq.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.boxq.core.redis.Redis;
import io.boxq.server.BoxqClient;
import io.boxq.server.BoxqClient.Reply;
import io.boxq.server.BoxqTestServer;
import io.boxq.server.TestEnvironment;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/sandboxes/{id}/stats}: the figures now, and the history the resource monitor keeps
 * in {@code stats:{sandbox}}, bounded by {@code STATS_HISTORY_LENGTH} (3 here).
 */
class StatsHistoryIT {
    private static BoxqTestServer server;
    private static BoxqClient api;
    private static Redis redis;

    @BeforeAll
    static void start() {
        server = BoxqTestServer.start("stats", Map.of("STATS_HISTORY_LENGTH", "3"));
        api = server.client;
        redis = new Redis(TestEnvironment.redisUrl(), server.prefix(), 2);
    }

    @AfterAll
    static void stop() {
        redis.close();
        server.stop();
    }

    @Test
    void history_grows_with_each_sample_then_stays_bounded_newest_last_and_goes_with_the_sandbox() {
        String key = api.createKey(server.adminKey(), TestEnvironment.unique("user"), "free").path("key").asText();
        Reply created = api.post("/v1/sandboxes", key, Map.of());
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String sandbox = created.json().path("id").asText();

        JsonNode first = stats(key, sandbox);
        assertThat(first.path("sandbox_id").asText()).isEqualTo(sandbox);
        assertThat(first.path("now").path("memory_limit_bytes").asLong()).isEqualTo(256L << 20);
        assertThat(first.path("now").path("pids").asLong()).isPositive();
        assertThat(first.path("history")).as("nothing sampled yet").isEmpty();

        List<Integer> lengths = new ArrayList<>();
        for (int pass = 1; pass <= 5; pass++) {
            server.node().monitorResources();
            lengths.add(stats(key, sandbox).path("history").size());
        }

        assertThat(lengths).containsExactly(1, 2, 3, 3, 3);
        long streamLength = redis.call(j -> j.xlen(redis.keys().sandboxStats(sandbox)));
        assertThat(streamLength).as("bounded in Redis too").isEqualTo(3);
        JsonNode history = stats(key, sandbox).path("history");
        Instant previous = Instant.EPOCH;
        for (JsonNode sample : history) {
            Instant at = Instant.parse(sample.path("at").asText());
            assertThat(at).as("newest last").isAfter(previous);
            previous = at;
            assertThat(sample.path("memory_bytes").asLong()).isPositive();
            assertThat(sample.path("memory_limit_bytes").asLong()).isEqualTo(256L << 20);
            assertThat(sample.path("workspace_size_bytes").asLong()).as("the workspace tmpfs").isEqualTo(128L << 20);
            assertThat(sample.has("cpu_percent")).isTrue();
            assertThat(sample.has("network_rx_bytes")).isTrue();
            assertThat(sample.path("pids").asLong()).isPositive();
        }

        assertThat(api.delete("/v1/sandboxes/" + sandbox, key).status()).isEqualTo(204);
        boolean kept = redis.call(j -> j.exists(redis.keys().sandboxStats(sandbox)));
        assertThat(kept).as("the history ends with its sandbox").isFalse();
    }

    private static JsonNode stats(String key, String sandbox) {
        Reply r = api.get("/v1/sandboxes/" + sandbox + "/stats", key);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }
}
